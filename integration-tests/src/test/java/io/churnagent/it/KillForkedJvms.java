package io.churnagent.it;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * After each test, kills the forked JVMs it started and left running (registered for every
 * integration test through {@code META-INF/services} and extension auto-detection).
 */
public final class KillForkedJvms implements AfterEachCallback {

    @Override
    public void afterEach(ExtensionContext context) {
        ForkedJvm.killAllStarted();
    }
}
