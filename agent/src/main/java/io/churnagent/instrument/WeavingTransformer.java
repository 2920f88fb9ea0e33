package io.churnagent.instrument;

import net.bytebuddy.ByteBuddy;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.ClassFileLocator;
import net.bytebuddy.dynamic.TypeResolutionStrategy;
import net.bytebuddy.dynamic.scaffold.InstrumentedType;
import net.bytebuddy.dynamic.scaffold.MethodGraph;
import net.bytebuddy.dynamic.scaffold.TypeValidation;
import net.bytebuddy.implementation.Implementation;
import net.bytebuddy.pool.TypePool;

import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.security.ProtectionDomain;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Weaves the classes of a {@link Weavings} as they load, and those already loaded when installed;
 * thread-safe.
 *
 * <p>A plain {@link ClassFileTransformer} rather than Byte Buddy's {@code AgentBuilder}: the builder
 * generates a class of its own when first used (its Java 9 module-aware transformer) and matches
 * every loaded class against every type matcher, which together were 40 % of a dynamic attach on
 * 2 cores. Here a class is looked up by name in a map, its class file is read only when it is to be
 * woven (or may be a Netty handler), and Byte Buddy's {@code Advice} weaves it with class-format
 * changes disabled (methods' code only, so the classes can be retransformed and reset).
 *
 * <p>Class loads that happen while this transformer works on a class on the same thread (Byte
 * Buddy reading a supertype, say) are not woven by it: weaving them there could load the class
 * being woven again (a {@code ClassCircularityError}).
 */
final class WeavingTransformer implements ClassFileTransformer {

    /** Tells the installer what was woven and what could not be. */
    interface Listener {
        void woven(String name);

        void failed(String name, Throwable cause);
    }

    private static final ByteBuddy BYTE_BUDDY = new ByteBuddy()
            .with(TypeValidation.DISABLED)
            .with(Implementation.Context.Disabled.Factory.INSTANCE)
            .with(MethodGraph.Compiler.ForDeclaredMethods.INSTANCE)
            .with(InstrumentedType.Factory.Default.FROZEN);

    private final Map<String, Weavings.Weave> byName;
    private final RelocatedNames relocated;
    private final Weavings.ByHierarchy byHierarchy; // null: none
    private final Listener listener;
    private final ThreadLocal<Boolean> busy = new ThreadLocal<>();

    WeavingTransformer(Weavings weavings, Listener listener) {
        this.byName = weavings.byName();
        this.relocated = weavings.relocated();
        this.byHierarchy = weavings.byHierarchy();
        this.listener = listener;
    }

    /** Adds this transformer to {@code inst} and retransforms the classes it weaves that are already loaded. */
    void install(Instrumentation inst) {
        inst.addTransformer(this, true);
        retransform(inst, loadedMatches(inst));
    }

    /**
     * Removes this transformer and gives the classes it wove their original code back; false if a
     * class could not be restored (each such class is reported to the listener).
     */
    boolean reset(Instrumentation inst) {
        inst.removeTransformer(this);
        return retransform(inst, loadedMatches(inst));
    }

    @Override
    public byte[] transform(ClassLoader loader, String internalName, Class<?> redefined, ProtectionDomain domain,
                            byte[] classFile) {
        if (internalName == null || internalName.startsWith("java/lang/invoke/") || busy.get() != null) {
            // a hidden class (lambda); the method handle machinery, which nothing here weaves and whose
            // lazily loaded classes must not meet a transformer that may need them; or a load caused by
            // the weaving of another class
            return null;
        }
        String name = internalName.replace('/', '.');
        if (AgentClasses.isAgent(name)) {
            return null;
        }
        busy.set(Boolean.TRUE); // from here on: the hierarchy check may read resources, which loads classes
        try {
            Weavings.Weave weave = wovenByName(name);
            boolean byItsHierarchy = weave == null && byHierarchy != null && byHierarchy.mayMatch(name, loader);
            if (weave == null && !byItsHierarchy) {
                return null;
            }
            ClassFileLocator locator = new ClassFileLocator.Compound(ClassFileLocator.Simple.of(name, classFile),
                    ClassFileLocator.ForClassLoader.of(loader));
            TypePool pool = new TypePool.Default.WithLazyResolution(new TypePool.CacheProvider.Simple(), locator,
                    TypePool.Default.ReaderMode.FAST);
            TypeDescription type = pool.describe(name).resolve();
            if (byItsHierarchy) {
                if (!byHierarchy.matches(type)) {
                    return null;
                }
                weave = unused -> byHierarchy.visitor();
            }
            byte[] woven = BYTE_BUDDY.decorate(type, locator)
                    .visit(weave.visitor(type))
                    .make(TypeResolutionStrategy.Disabled.INSTANCE, pool)
                    .getBytes();
            listener.woven(name);
            return woven;
        } catch (Throwable t) {
            listener.failed(name, t);
            return null;
        } finally {
            busy.remove();
        }
    }

    /** The weaving of {@code name}, exact or relocated, or null. */
    private Weavings.Weave wovenByName(String name) {
        Weavings.Weave weave = byName.get(name);
        if (weave == null) {
            RelocatedNames.Entry copy = relocated.find(name);
            weave = copy == null ? null : copy.weave;
        }
        return weave;
    }

    /** The loaded classes this transformer weaves (by name), or may weave (by hierarchy). */
    private List<Class<?>> loadedMatches(Instrumentation inst) {
        List<Class<?>> matches = new ArrayList<>();
        for (Class<?> loaded : inst.getAllLoadedClasses()) {
            if (loaded.isArray() || loaded.isPrimitive()) {
                continue;
            }
            String name = loaded.getName();
            boolean match = wovenByName(name) != null || byHierarchy != null && byHierarchy.mayMatch(loaded);
            if (match && !AgentClasses.isAgent(name) && inst.isModifiableClass(loaded)) {
                matches.add(loaded);
            }
        }
        return matches;
    }

    /**
     * Retransforms {@code classes}: all at once, and one by one if that fails, so that one class that
     * cannot be retransformed keeps no other from being woven. False if any failed.
     */
    private boolean retransform(Instrumentation inst, List<Class<?>> classes) {
        if (classes.isEmpty()) {
            return true;
        }
        try {
            inst.retransformClasses(classes.toArray(new Class<?>[0]));
            return true;
        } catch (Throwable all) {
            boolean ok = true;
            for (Class<?> type : classes) {
                try {
                    inst.retransformClasses(type);
                } catch (Throwable t) {
                    listener.failed(type.getName(), t);
                    ok = false;
                }
            }
            return ok;
        }
    }
}
