package io.churnagent.churn;

import io.churnagent.testapp.FakeServer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Real stacks through {@link StackWalkerSource}: where the walk ends, and which frame is named the handler
 * (bridges: TrimmedStackTest).
 */
class StackWalkerSourceTest {

    private static final String HANDLER = FakeServer.Handler.class.getName();
    private static final String SERVER = "io.churnagent.testapp.FakeServer.serve(FakeServer.java:";

    /**
     * Runs {@code capture} on a thread of its own, whose stack holds only the JDK's frames and this
     * test's below the fixture's: the build tool's launcher frames are application frames by our rules.
     */
    private static <T> T onFreshThread(java.util.function.Supplier<T> capture) throws InterruptedException {
        java.util.concurrent.atomic.AtomicReference<T> result = new java.util.concurrent.atomic.AtomicReference<>();
        Thread t = new Thread(() -> result.set(capture.get()));
        t.start();
        t.join();
        return result.get();
    }

    @Test
    void aKnownHandlerEndsTheStackSoTheFramesBelowItAreNotWalked() {
        TrimmedStack stack = FakeServer.serve(40, HANDLER, "handle");
        assertEquals(HANDLER + ".build(FakeServer.java:" + FakeServer.line + ")", stack.site());
        assertEquals(HANDLER + ".handle(FakeServer.java:" + FakeServer.handleLine + ")", stack.handlerFrame());
        assertEquals(2, stack.frames().size(), stack.frames().toString());
        assertEquals(0, stack.omitted(), "the 41 server frames below the handler are not part of the stack");
    }

    @Test
    void withoutAHandlerMatchTheOutermostApplicationFrameIsNamed() throws Exception {
        TrimmedStack stack = onFreshThread(() -> FakeServer.serve(40, HANDLER, "notAMethodOfIt"));
        assertEquals(HANDLER + ".build(FakeServer.java:" + FakeServer.line + ")", stack.site());
        assertTrue(stack.handlerFrame().startsWith(SERVER), stack.handlerFrame());
        assertEquals(TrimmedStack.MAX_FRAMES, stack.frames().size());
        assertEquals(43 - TrimmedStack.MAX_FRAMES, stack.omitted(), "build, handle and 41 serve frames");
        TrimmedStack noHandler = onFreshThread(() -> FakeServer.serve(40, null, null));
        assertEquals(stack.handlerFrame(), noHandler.handlerFrame());
    }

    @Test
    void aRunOfTheHandlersClassCalledByTheServerEndsTheStackAtItsOutermostFrame() throws Exception {
        // as a servlet seen at HttpServlet.service runs at doGet: here Optional.map is the hooked method
        TrimmedStack stack = FakeServer.serveThroughServer(40, "map");
        assertEquals(HANDLER + ".build(FakeServer.java:" + FakeServer.line + ")", stack.site());
        assertEquals(HANDLER + ".doGet(FakeServer.java:" + FakeServer.handleLine + ")", stack.handlerFrame());
        assertEquals(2, stack.frames().size(), stack.frames().toString());
        assertEquals(0, stack.omitted(), "Optional.map and the 41 frames below it are the server's");
        TrimmedStack otherName = onFreshThread(() -> FakeServer.serveThroughServer(40, "service"));
        assertTrue(otherName.handlerFrame().startsWith("io.churnagent.testapp.FakeServer.serveThroughServer("),
                "a library frame of another name does not end it: "
                + otherName.handlerFrame());
    }

    @Test
    void theApplicationsOwnFirstFrameIsTheSiteBelowAnUnlistedLibrary() throws Exception {
        String vendor = "org.vendorlib.VendorClient.";
        String handler = "io.churnagent.testapp.VendorCall";
        try {
            // the handler's package root (io.churnagent.) is the application's own
            TrimmedStack underHandler = onFreshThread(() -> io.churnagent.testapp.VendorCall.handle(handler));
            assertEquals(handler + ".handle(VendorCall.java:" + io.churnagent.testapp.VendorCall.line + ")",
                    underHandler.site(), "the line that calls into the library");
            assertTrue(underHandler.frames().stream().noneMatch(f -> f.startsWith(vendor)), underHandler.frames().toString());

            // no handler, no own packages known: only the list decides, and the library's frame is the site
            ApplicationFrames.setOwnPackages(null, java.util.List.of());
            TrimmedStack listOnly = onFreshThread(() -> io.churnagent.testapp.VendorCall.handle(null));
            assertTrue(listOnly.site().startsWith(vendor + "createSocket("), listOnly.site());

            // the main class's package root makes them own without a handler
            ApplicationFrames.setOwnPackages("io.churnagent.testapp.Main", java.util.List.of());
            TrimmedStack fromMain = onFreshThread(() -> io.churnagent.testapp.VendorCall.handle(null));
            assertEquals(handler + ".handle(VendorCall.java:" + io.churnagent.testapp.VendorCall.line + ")", fromMain.site());
            // and app.packages naming the library's package makes its frame the site again
            ApplicationFrames.setOwnPackages(null, java.util.List.of("org.vendorlib"));
            TrimmedStack listed = onFreshThread(() -> io.churnagent.testapp.VendorCall.handle(null));
            assertTrue(listed.site().startsWith(vendor + "createSocket("), listed.site());
        } finally {
            ApplicationFrames.setOwnPackages(null, java.util.List.of());
        }
    }
}
