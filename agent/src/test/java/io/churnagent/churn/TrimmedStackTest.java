package io.churnagent.churn;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrimmedStackTest {

    private static final Pattern PRINTED = Pattern.compile("(.+)\\.([^.(]+)\\(([^:]+):(\\d+)\\)");

    static StackTraceElement frame(String cls, String method, int line) {
        String simple = cls.substring(cls.lastIndexOf('.') + 1).replaceAll("\\$.*", "");
        return new StackTraceElement(cls, method, simple + ".java", line);
    }

    /** A stack written as a stack trace prints its frames: {@code com.acme.Api.handle(Api.java:7)}, innermost first. */
    private static List<StackTraceElement> stack(String... printed) {
        List<StackTraceElement> frames = new ArrayList<>();
        for (String p : printed) {
            Matcher m = PRINTED.matcher(p);
            if (!m.matches()) {
                throw new IllegalArgumentException("not a printed frame: " + p);
            }
            frames.add(new StackTraceElement(m.group(1), m.group(2), m.group(3), Integer.parseInt(m.group(4))));
        }
        return List.copyOf(frames);
    }

    /** A servlet building an OkHttp client: agent and library frames above, container frames below. */
    static List<StackTraceElement> servletStack() {
        return stack(
                "io.churnagent.churn.StackSource.lambda$static$0(StackSource.java:12)",
                "io.churnagent.churn.ClientSiteRecorder.clientBuilt(ClientSiteRecorder.java:40)",
                "io.churnagent.bootstrap.ClientBridge.constructionExit(ClientBridge.java:120)",
                "okhttp3.OkHttpClient.<init>(OkHttpClient.java:200)",
                "okhttp3.OkHttpClient.<init>(OkHttpClient.java:180)",
                "com.acme.orders.PriceClient.fetch(PriceClient.java:42)",
                "org.springframework.aop.framework.ReflectiveMethodInvocation.proceed(ReflectiveMethodInvocation.java:186)",
                "com.acme.orders.OrderController.get(OrderController.java:17)",
                "jakarta.servlet.http.HttpServlet.service(HttpServlet.java:587)",
                "org.eclipse.jetty.ee10.servlet.ServletHolder.handle(ServletHolder.java:736)",
                "java.lang.Thread.run(Thread.java:840)");
    }

    @Test
    void theSiteIsTheFirstApplicationFrameAndTheHandlerTheOutermost() {
        TrimmedStack s = TrimmedStack.of(servletStack());
        assertEquals("com.acme.orders.PriceClient.fetch(PriceClient.java:42)", s.site());
        assertEquals("com.acme.orders.PriceClient", s.siteClass());
        assertEquals("com.acme.orders.OrderController.get(OrderController.java:17)", s.handlerFrame());
        assertEquals(List.of("com.acme.orders.PriceClient.fetch(PriceClient.java:42)",
                "org.springframework.aop.framework.ReflectiveMethodInvocation.proceed(ReflectiveMethodInvocation.java:186)",
                "com.acme.orders.OrderController.get(OrderController.java:17)"), s.frames());
        assertEquals(0, s.omitted());
    }

    @Test
    void aNamedHandlerMethodIsTheHandlerFrameEvenUnderTheApplicationsOwnLoop() {
        List<StackTraceElement> stack = List.of(
                frame("okhttp3.OkHttpClient", "<init>", 200),
                frame("com.acme.jobs.PriceClient", "fetch", 42),
                frame("com.acme.jobs.MyHandler", "serve", 17),
                frame("com.acme.jobs.Loop", "main", 9));
        assertEquals("com.acme.jobs.MyHandler.serve(MyHandler.java:17)",
                TrimmedStack.of(stack, "com.acme.jobs.MyHandler", "serve").handlerFrame());
        assertEquals("com.acme.jobs.Loop.main(Loop.java:9)", TrimmedStack.of(stack).handlerFrame());
        // not on the stack (a servlet's service() is declared by the container's HttpServlet): the outermost frame
        assertEquals("com.acme.jobs.Loop.main(Loop.java:9)",
                TrimmedStack.of(stack, "com.acme.jobs.MyServlet", "service").handlerFrame());
    }

    @Test
    void aStackWithoutApplicationFramesHasNoSite() {
        TrimmedStack s = TrimmedStack.of(List.of(frame("java.net.Socket", "connect", 1),
                frame("jdk.internal.net.http.HttpClientImpl$SelectorManager", "run", 2)));
        assertNull(s.site());
        assertNull(s.handlerFrame());
        assertTrue(s.frames().isEmpty());
    }

    @Test
    void longStacksKeepABoundedNumberOfFrames() {
        List<StackTraceElement> deep = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            deep.add(frame("com.acme.Recursive", "step", i));
        }
        TrimmedStack s = TrimmedStack.of(deep);
        assertEquals(TrimmedStack.MAX_FRAMES, s.frames().size());
        assertEquals(40 - TrimmedStack.MAX_FRAMES, s.omitted());
        assertEquals("com.acme.Recursive.step(Recursive.java:39)", s.handlerFrame());
    }

    @Test
    void agentJdkAndLibraryFramesAreNotApplicationButTheDemoAndTestProgramsAre() {
        for (String name : new String[] {"io.churnagent.churn.X", "io.churnagent.bootstrap.ClientBridge",
                "io.churnagent.shaded.bytebuddy.X", "java.net.Socket", "jdk.internal.X", "sun.nio.ch.X",
                "okhttp3.OkHttpClient", "org.apache.hc.client5.X", "org.h2.Driver", "org.eclipse.jetty.X"}) {
            assertFalse(ApplicationFrames.isApplication(name), name);
        }
        for (String name : new String[] {"io.churnagent.demo.DemoApp", "io.churnagent.it.programs.ClientFamilies",
                "com.acme.Api", "Main"}) {
            assertTrue(ApplicationFrames.isApplication(name), name);
        }
    }

    @Test
    void framesAreDescribedWithoutLoaderOrModulePrefixes() {
        assertEquals("a.B.c(B.java:7)", ApplicationFrames.describe(new StackTraceElement("app", null, null,
                "a.B", "c", "B.java", 7)));
        assertEquals("a.B.c(Unknown Source)", ApplicationFrames.describe(new StackTraceElement("a.B", "c", null, 7)));
        assertEquals("a.B.c(Native Method)", ApplicationFrames.describe(new StackTraceElement("a.B", "c", null, -2)));
    }

    @Test
    void theWalkerTrimsWhileWalkingExactlyAsTrimmingAFullCaptureDoes() {
        for (int depth : new int[] {3, 40, 256}) {
            TrimmedStack[] both = deeper(depth, 30);
            assertEquals(both[1].site(), both[0].site());
            assertEquals(both[1].siteClass(), both[0].siteClass());
            assertEquals(both[1].handlerFrame(), both[0].handlerFrame());
            assertEquals(both[1].frames(), both[0].frames());
            assertEquals(both[1].omitted(), both[0].omitted());
        }
    }

    @Test
    void theWalkerNamesAGenericOverrideAsTheHandlerNotTheBridgeMethodThatCallsIt() throws Exception {
        io.churnagent.testapp.GenericHandler.Base<String> handler = new io.churnagent.testapp.GenericHandler.Strings();
        TrimmedStack[] captured = new TrimmedStack[2];
        // a thread of its own, entered from non-application code (this test), through the bridge;
        // once by the outermost application frame, once by the handler's class and method name
        Thread t = new Thread(() -> {
            captured[0] = (TrimmedStack) handler.handle("request", () -> StackSource.WALKER.trimmed(64));
            captured[1] = (TrimmedStack) handler.handle("request", () -> StackSource.WALKER.trimmed(64,
                    io.churnagent.testapp.GenericHandler.Strings.class.getName(), "handle"));
        });
        t.start();
        t.join();
        String override = "io.churnagent.testapp.GenericHandler$Strings.handle(GenericHandler.java:24)";
        for (TrimmedStack stack : captured) {
            assertEquals(override, stack.site());
            assertEquals(override, stack.handlerFrame());
            assertEquals(java.util.List.of(override), stack.frames());
        }
    }

    @Test
    void aKnownHandlerEndsAFullCaptureTooWhetherMatchedByMethodOrCalledByTheServer() {
        StackTraceElement build = frame("com.shop.Checkout", "build", 12);
        StackTraceElement handle = frame("com.shop.Checkout", "handle", 30);
        java.util.List<StackTraceElement> underOwnLoop = java.util.List.of(frame("okhttp3.OkHttpClient", "<init>", 1),
                build, handle, frame("com.shop.Server", "loop", 80), frame("java.lang.Thread", "run", 833));
        TrimmedStack matched = TrimmedStack.of(underOwnLoop, "com.shop.Checkout", "handle");
        assertEquals("com.shop.Checkout.handle(Checkout.java:30)", matched.handlerFrame());
        assertEquals(java.util.List.of("com.shop.Checkout.build(Checkout.java:12)",
                "com.shop.Checkout.handle(Checkout.java:30)"), matched.frames(), "the loop below is not part of it");
        assertEquals("com.shop.Server.loop(Server.java:80)", TrimmedStack.of(underOwnLoop).handlerFrame());

        StackTraceElement doGet = frame("com.shop.Checkout", "doGet", 30);
        java.util.List<StackTraceElement> servlet = java.util.List.of(frame("okhttp3.OkHttpClient", "<init>", 1), build,
                doGet, frame("jakarta.servlet.http.HttpServlet", "service", 590), frame("com.shop.Filter", "doFilter", 9));
        TrimmedStack called = TrimmedStack.of(servlet, "com.shop.Checkout", "service");
        assertEquals("com.shop.Checkout.doGet(Checkout.java:30)", called.handlerFrame());
        assertEquals(2, called.frames().size(), called.frames().toString());
        assertEquals("com.shop.Filter.doFilter(Filter.java:9)", TrimmedStack.of(servlet).handlerFrame(),
                "no handler known: the outermost application frame");

        java.util.List<StackTraceElement> lambda = java.util.List.of(frame("okhttp3.OkHttpClient", "<init>", 1),
                frame("com.shop.Checkout", "lambda$doGet$0", 21), frame("java.util.ArrayList", "forEach", 1541),
                doGet, frame("jakarta.servlet.http.HttpServlet", "service", 590), frame("com.shop.Filter", "doFilter", 9));
        TrimmedStack inStream = TrimmedStack.of(lambda, "com.shop.Checkout", "service");
        assertEquals("com.shop.Checkout.doGet(Checkout.java:30)", inStream.handlerFrame(),
                "a stream calling a lambda of the handler's class is not the server calling in");
    }

    /** Recurses through a class outside the agent's packages so that the stack has application frames. */
    private static TrimmedStack[] deeper(int maxDepth, int frames) {
        return io.churnagent.testapp.Recursion.call(frames, () -> new TrimmedStack[] {
            StackSource.WALKER.trimmed(maxDepth), TrimmedStack.of(StackSource.WALKER.capture(maxDepth))});
    }

    /** A handler that connects through a library the list does not know (Jedis before it was listed, say). */
    static List<StackTraceElement> unlistedLibraryStack() {
        return stack(
                "java.net.Socket.connect(Socket.java:600)",
                "org.vendorlib.SocketFactory.connectToFirstSuccessfulHost(SocketFactory.java:90)",
                "org.vendorlib.Connection.connect(Connection.java:40)",
                "org.vendorlib.Client.<init>(Client.java:12)",
                "com.acme.web.OrderHandler.lookup(OrderHandler.java:33)",
                "com.acme.web.OrderHandler.handle(OrderHandler.java:21)",
                "com.sun.net.httpserver.Filter$Chain.doFilter(Filter.java:80)");
    }

    @Test
    void theFirstOwnFrameIsTheSiteAndTheUnlistedLibrarysFramesAboveItAreDropped() {
        try {
            TrimmedStack underHandler = TrimmedStack.of(unlistedLibraryStack(), "com.acme.web.OrderHandler", "handle");
            assertEquals("com.acme.web.OrderHandler.lookup(OrderHandler.java:33)", underHandler.site());
            assertEquals("com.acme.web.OrderHandler.handle(OrderHandler.java:21)", underHandler.handlerFrame());
            assertEquals(2, underHandler.frames().size(), underHandler.frames().toString());

            TrimmedStack listOnly = TrimmedStack.of(unlistedLibraryStack());
            assertEquals("org.vendorlib.SocketFactory.connectToFirstSuccessfulHost(SocketFactory.java:90)", listOnly.site());

            ApplicationFrames.setOwnPackages(null, List.of("com.acme"));
            TrimmedStack byOption = TrimmedStack.of(unlistedLibraryStack());
            assertEquals("com.acme.web.OrderHandler.lookup(OrderHandler.java:33)", byOption.site());
        } finally {
            ApplicationFrames.setOwnPackages(null, List.of());
        }
    }
}
