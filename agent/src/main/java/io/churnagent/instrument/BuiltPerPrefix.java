package io.churnagent.instrument;

import net.bytebuddy.asm.AsmVisitorWrapper;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Function;

/**
 * A visitor made the first time a class it weaves loads under a given relocation prefix (the empty
 * prefix for the library's own names), then kept per prefix; thread-safe. Netty's channel advice
 * names Netty types ({@code DuplexChannel}, {@code AbstractChannel}), so gRPC's shaded copy of the
 * epoll channel needs a visitor of its own that names the shaded types. An application has one or
 * two copies of Netty, so the map stays tiny.
 */
final class BuiltPerPrefix {

    private final Function<String, AsmVisitorWrapper> make;
    private final ConcurrentMap<String, AsmVisitorWrapper> made = new ConcurrentHashMap<>();

    BuiltPerPrefix(Function<String, AsmVisitorWrapper> make) {
        this.make = make;
    }

    AsmVisitorWrapper get(String prefix) {
        return made.computeIfAbsent(prefix, make);
    }

    /** The prefix {@code name} puts in front of {@code original}: empty for the original itself. */
    static String prefixOf(String name, String original) {
        return name.length() > original.length() && name.endsWith(original)
                ? name.substring(0, name.length() - original.length()) : "";
    }
}
