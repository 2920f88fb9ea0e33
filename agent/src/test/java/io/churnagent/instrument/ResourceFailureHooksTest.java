package io.churnagent.instrument;

import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.ClassFileLocator;
import net.bytebuddy.pool.TypePool;
import org.junit.jupiter.api.Test;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesNoArguments;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * The hooks that see "Too many open files" and failed thread starts name methods this JDK has (the
 * build's JDK 17; WallsIT proves them on Temurin 25 with real EMFILE failures).
 */
class ResourceFailureHooksTest {

    private final TypePool pool = TypePool.Default.of(ClassFileLocator.ForClassLoader.ofSystemLoader());

    private void has(String type, String method, boolean noArguments) {
        TypeDescription t = pool.describe(type).resolve();
        assertFalse(t.getDeclaredMethods().filter(noArguments ? named(method).and(takesNoArguments()) : named(method))
                .isEmpty(), type + "#" + method);
    }

    @Test
    void everyHookNamesAMethodOfThisJdk() {
        has(ResourceFailureInstrumentation.NET_TYPE, "socket", false);
        has(ResourceFailureInstrumentation.NET_TYPE, "serverSocket", false);
        has(ResourceFailureInstrumentation.SERVER_CHANNEL_TYPE, "accept", true);
        has(ResourceFailureInstrumentation.SERVER_SOCKET_TYPE, "accept", true);
        has(ResourceFailureInstrumentation.SELECTOR_PROVIDER_TYPE, "openSelector", true);
        has(ResourceFailureInstrumentation.THREAD_TYPE, "start", true);
    }
}
