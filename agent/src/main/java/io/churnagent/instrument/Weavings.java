package io.churnagent.instrument;

import net.bytebuddy.asm.AsmVisitorWrapper;
import net.bytebuddy.description.type.TypeDescription;

import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Which classes a {@link WeavingTransformer} weaves and with what: classes by name (and, for some,
 * their relocated copies in shaded libraries), and at most one family of classes by hierarchy (the
 * Netty handlers). Filled by the {@code *Instrumentation} classes
 * before the transformer is made, read-only afterwards.
 */
final class Weavings {

    /** The visitor that weaves one class, given its description (read from its class file). */
    interface Weave {
        AsmVisitorWrapper visitor(TypeDescription type);
    }

    /**
     * Classes chosen by their hierarchy rather than their name. Checked in three steps, from the
     * cheapest: name and loader before the class file is read, then the description, and for
     * classes already loaded their {@code Class} (names only, nothing loaded).
     */
    interface ByHierarchy {

        /** Whether the class about to load may match; false skips it without reading its class file. */
        boolean mayMatch(String name, ClassLoader loader);

        /** Whether the described class matches (its supertypes are read from its loader's class files). */
        boolean matches(TypeDescription type);

        /** Whether the loaded class may match; the ones that do are retransformed, and {@link #matches} decides. */
        boolean mayMatch(Class<?> loaded);

        AsmVisitorWrapper visitor();
    }

    private final Map<String, Weave> byName = new HashMap<>();
    private final RelocatedNames relocated = new RelocatedNames();
    private ByHierarchy byHierarchy;

    /** Weaves the class {@code name} (binary name) with {@code visitor}, made on first use. */
    Weavings name(String name, Supplier<AsmVisitorWrapper> visitor) {
        return name(name, type -> visitor.get());
    }

    /** Weaves the class {@code name} (binary name) with the visitor {@code weave} makes for it. */
    Weavings name(String name, Weave weave) {
        // two weavings of one class (handlers=A#one,A#two) apply both, as two visitors of one class file
        byName.merge(name, weave, (a, b) -> type -> new AsmVisitorWrapper.Compound(a.visitor(type), b.visitor(type)));
        return this;
    }

    /**
     * Weaves the class {@code name} and every copy of it that a library relocated under a package
     * prefix of its own ({@link RelocatedNames}); {@code weave} is given the copy's description, so it
     * can name the copy's other classes under the same prefix.
     */
    Weavings relocatable(String name, Weave weave) {
        name(name, weave);
        relocated.add(name, weave);
        return this;
    }

    /** Weaves the classes {@code family} chooses. */
    Weavings hierarchy(ByHierarchy family) {
        if (byHierarchy != null) {
            throw new IllegalStateException("one hierarchy weaving only");
        }
        byHierarchy = family;
        return this;
    }

    Map<String, Weave> byName() {
        return Collections.unmodifiableMap(byName);
    }

    RelocatedNames relocated() {
        return relocated;
    }

    /** The hierarchy weaving, or null. */
    ByHierarchy byHierarchy() {
        return byHierarchy;
    }
}
