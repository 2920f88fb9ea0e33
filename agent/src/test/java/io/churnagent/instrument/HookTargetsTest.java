package io.churnagent.instrument;

import net.bytebuddy.description.method.MethodList;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.ClassFileLocator;
import net.bytebuddy.pool.TypePool;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static net.bytebuddy.matcher.ElementMatchers.isConstructor;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every hook names a class and method (or constructors) that exist in the library it is for: the
 * agent knows libraries by name only, so a misspelt or renamed hook would never fire and nothing
 * else would notice. The libraries' class files are on this test's class path (test scope, without
 * their dependencies) and are read, not loaded. The JDK's own hooks are checked against this JDK.
 */
class HookTargetsTest {

    private final TypePool pool = TypePool.Default.of(ClassFileLocator.ForClassLoader.ofSystemLoader());

    @Test
    void everyClientHookNamesAnExistingClassAndMethod() {
        List<String> missing = new ArrayList<>();
        for (ClientConstructionInstrumentation.Hook hook : ClientConstructionInstrumentation.HOOKS) {
            if (!isTested(hook.type)) {
                continue;
            }
            TypePool.Resolution resolution = pool.describe(hook.type);
            if (!resolution.isResolved()) {
                missing.add(hook.type + " (class)");
                continue;
            }
            TypeDescription type = resolution.resolve();
            MethodList<?> methods = type.getDeclaredMethods()
                    .filter(hook.method == null ? isConstructor() : named(hook.method));
            if (methods.isEmpty()) {
                missing.add(hook.type + (hook.method == null ? " constructors" : "#" + hook.method));
            }
        }
        assertEquals(List.of(), missing);
    }

    @Test
    void theNativeTransportHooksNameNetty42sAndGrpcsShadedClasses() {
        for (String prefix : new String[] {"", "io.grpc.netty.shaded."}) {
            TypeDescription channel = pool.describe(prefix + NettyChannelInstrumentation.TRANSPORTS[0][0]).resolve();
            assertFalse(channel.getDeclaredMethods().filter(named("doConnect")).isEmpty(), prefix + " doConnect");
            assertFalse(channel.getDeclaredMethods().filter(named("doClose")).isEmpty(), prefix + " doClose");
            assertFalse(channel.getDeclaredFields().filter(named("local")).isEmpty(), prefix + " local");
            assertFalse(channel.getDeclaredFields().filter(named("remote")).isEmpty(), prefix + " remote");
            TypeDescription unsafe = pool.describe(prefix + NettyChannelInstrumentation.TRANSPORTS[0][1]).resolve();
            assertFalse(unsafe.getDeclaredMethods().filter(named("doFinishConnect")).isEmpty(), prefix + " doFinishConnect");
            assertFalse(unsafe.getDeclaredFields().filter(named("this$0")).isEmpty(), prefix + " this$0");
            assertTrue(pool.describe(prefix + "io.netty.channel.socket.DuplexChannel").resolve().isInterface());
        }
        assertFalse(pool.describe("io.grpc.netty.shaded.io.netty.bootstrap.Bootstrap").resolve()
                .getDeclaredMethods().filter(isConstructor()).isEmpty());
        assertFalse(pool.describe("io.grpc.netty.shaded.io.grpc.netty.NettyClientTransport").resolve()
                .getDeclaredMethods().filter(named("start")).isEmpty());
    }

    /** The hooks of libraries this test has the class files of (the others are proven by the ITs). */
    private static boolean isTested(String type) {
        return !type.startsWith("org.apache.") && !type.startsWith("okhttp3.") && !type.startsWith("org.eclipse.")
                && !type.startsWith("org.springframework.") && !type.equals("io.grpc.netty.NettyClientTransport");
    }
}
