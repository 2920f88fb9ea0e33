package io.churnagent.it;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * After each test, kills the forked JVMs it started and left running, and after each test class
 * those started outside a test (registered for every integration test through
 * {@code META-INF/services} and extension auto-detection). Tests run side by side (see
 * {@code junit-platform.properties}): each test kills only its own JVMs.
 */
public final class KillForkedJvms implements BeforeEachCallback, AfterEachCallback, AfterAllCallback {

    @Override
    public void beforeEach(ExtensionContext context) {
        ForkedJvm.beginTest();
    }

    @Override
    public void afterEach(ExtensionContext context) {
        ForkedJvm.endTest();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        ForkedJvm.killAllStarted();
    }
}
