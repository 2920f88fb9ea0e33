package io.churnagent.instrument;

import net.bytebuddy.asm.AsmVisitorWrapper;

import java.util.function.Supplier;

/**
 * A visitor made the first time a class it weaves loads, then kept; thread-safe (class loads on
 * several threads may race to make it; one result is kept and the others are dropped).
 *
 * <p>Making an {@code Advice} visitor reads its advice class and costs milliseconds. The libraries
 * most hooks are for (HTTP clients, servlet containers, Netty) are absent from most applications,
 * so making their visitors at install time was a third of a dynamic attach. Only advice whose
 * classes mention no JDK class the agent weaves may be made here, inside a transformation: the
 * socket visitors are made before installing (see {@link InstrumentationInstaller#install}).
 */
final class BuiltOnFirstUse implements Supplier<AsmVisitorWrapper> {

    private final Supplier<AsmVisitorWrapper> make;
    private volatile AsmVisitorWrapper made;

    BuiltOnFirstUse(Supplier<AsmVisitorWrapper> make) {
        this.make = make;
    }

    @Override
    public AsmVisitorWrapper get() {
        AsmVisitorWrapper visitor = made;
        if (visitor == null) {
            visitor = make.get();
            made = visitor;
        }
        return visitor;
    }
}
