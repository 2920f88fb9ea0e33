package io.churnagent.instrument;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.instrument.Instrumentation;
import java.lang.reflect.Method;
import java.security.ProtectionDomain;
import java.util.Collections;
import java.util.Map;
import java.util.Set;

/**
 * Defines the {@code io.churnagent.bootstrap} classes in the boot class loader, where the advice
 * inlined into {@code java.base} can link against them; call once, before anything loads them.
 *
 * <p>It does not use {@code Instrumentation.appendToBootstrapClassLoaderSearch}: that makes the JVM
 * print a class-sharing warning into the application's output and turns sharing off for application
 * classes (DESIGN.md §6). Instead it opens {@code jdk.internal.misc} to the agent with
 * {@link Instrumentation#redefineModule} and calls {@code jdk.internal.misc.Unsafe.defineClass} with a
 * null loader, which prints nothing on JDK 17 and 25. Classes already in the boot loader (an earlier
 * attach) are left as they are.
 */
public final class BootstrapInjector {

    /** In definition order: an interface before the class that mentions it. */
    static final String[] BOOTSTRAP_CLASSES = {
        "io.churnagent.bootstrap.ConnectionSink",
        "io.churnagent.bootstrap.ChurnBridge",
        "io.churnagent.bootstrap.NettyBridge",
        "io.churnagent.bootstrap.ClientOrigin",
        "io.churnagent.bootstrap.HandlerFrame",
        "io.churnagent.bootstrap.RequestState",
        "io.churnagent.bootstrap.ClientSink",
        "io.churnagent.bootstrap.ClientBridge",
    };

    private BootstrapInjector() {
    }

    /** Injects the bridge classes; throws with a readable message if this JVM does not allow it. */
    public static void inject(Instrumentation inst) throws Exception {
        if (allPresent()) {
            return;
        }
        Module javaBase = Object.class.getModule();
        Module agent = BootstrapInjector.class.getModule();
        inst.redefineModule(javaBase, Collections.emptySet(),
                Map.of("jdk.internal.misc", Set.of(agent)), Collections.emptyMap(),
                Collections.emptySet(), Collections.emptyMap());
        Class<?> unsafeClass = Class.forName("jdk.internal.misc.Unsafe");
        Object unsafe = unsafeClass.getMethod("getUnsafe").invoke(null);
        Method define = unsafeClass.getMethod("defineClass", String.class, byte[].class, int.class, int.class,
                ClassLoader.class, ProtectionDomain.class);
        for (String name : BOOTSTRAP_CLASSES) {
            if (bootClass(name) == null) {
                byte[] bytes = classBytes(name);
                define.invoke(unsafe, name, bytes, 0, bytes.length, null, null);
            }
        }
        if (!allPresent()) {
            throw new IllegalStateException("the bridge classes are not visible in the boot class loader after injection");
        }
    }

    private static boolean allPresent() {
        for (String name : BOOTSTRAP_CLASSES) {
            if (bootClass(name) == null) {
                return false;
            }
        }
        return true;
    }

    private static Class<?> bootClass(String name) {
        try {
            return Class.forName(name, false, null);
        } catch (ClassNotFoundException e) {
            return null;
        }
    }

    private static byte[] classBytes(String name) throws IOException {
        String resource = name.replace('.', '/') + ".class";
        ClassLoader loader = BootstrapInjector.class.getClassLoader();
        try (InputStream in = loader == null ? ClassLoader.getSystemResourceAsStream(resource)
                : loader.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException(resource + " is missing from the agent jar");
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream(8192);
            in.transferTo(out);
            return out.toByteArray();
        }
    }
}
