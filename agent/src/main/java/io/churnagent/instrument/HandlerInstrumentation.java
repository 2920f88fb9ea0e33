package io.churnagent.instrument;

import io.churnagent.bootstrap.ClientBridge;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.asm.AsmVisitorWrapper;

import java.util.List;

import static net.bytebuddy.matcher.ElementMatchers.isAbstract;
import static net.bytebuddy.matcher.ElementMatchers.isMethod;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.not;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

/**
 * Marks the time a thread spends serving a request, so that client constructions can be told apart
 * by whether they happen inside a handler; stateless.
 *
 * <ul>
 *   <li>{@code javax.servlet} and {@code jakarta.servlet} {@code HttpServlet.service(request, response)}:
 *       every servlet container and Spring MVC; the handler named is the servlet's runtime class;</li>
 *   <li>the JDK server's {@code com.sun.net.httpserver.Filter.Chain.doFilter}, which calls the
 *       user's {@code HttpHandler} at its end: hooking the chain instead of the handler classes
 *       covers lambdas too (they cannot be retransformed) and needs no hierarchy matching;</li>
 *   <li>the methods listed in the {@code handlers} option, by class and method name.</li>
 * </ul>
 */
public final class HandlerInstrumentation {

    private HandlerInstrumentation() {
    }

    /**
     * Adds the known handlers' transformations (the {@code handlers} option's entries come through
     * {@link #addUserTo}); the advice is made when a handler class loads.
     */
    static void addTo(Weavings weavings) {
        BuiltOnFirstUse servlet = new BuiltOnFirstUse(() -> new AsmVisitorWrapper.ForDeclaredMethods().method(
                isMethod().and(named("service")).and(takesArguments(2))
                        .and(takesArgument(0, named("javax.servlet.http.HttpServletRequest"))
                                .or(takesArgument(0, named("jakarta.servlet.http.HttpServletRequest")))),
                Advice.to(ServletAdvice.class)));
        BuiltOnFirstUse chain = new BuiltOnFirstUse(() -> new AsmVisitorWrapper.ForDeclaredMethods().method(
                isMethod().and(named("doFilter")).and(takesArguments(1)), Advice.to(FilterChainAdvice.class)));
        weavings.name("javax.servlet.http.HttpServlet", servlet)
                .name("jakarta.servlet.http.HttpServlet", servlet)
                .name("com.sun.net.httpserver.Filter$Chain", chain);
    }

    /** Adds one weaving per {@code Class#method} entry of the {@code handlers} option. */
    static void addUserTo(Weavings weavings, List<String> userHandlers) {
        for (String entry : userHandlers) {
            int hash = entry.indexOf('#');
            String type = entry.substring(0, hash);
            String method = entry.substring(hash + 1);
            BuiltOnFirstUse user = new BuiltOnFirstUse(() -> new AsmVisitorWrapper.ForDeclaredMethods().method(
                    isMethod().and(named(method)).and(not(isAbstract())), Advice.to(UserHandlerAdvice.class)));
            weavings.name(type, user);
        }
    }

    /** {@code HttpServlet.service(HttpServletRequest, HttpServletResponse)}. */
    public static final class ServletAdvice {

        private ServletAdvice() {
        }

        @Advice.OnMethodEnter(suppress = Throwable.class)
        static Object onEnter(@Advice.This Object servlet) {
            return ClientBridge.handlerEnter(servlet.getClass().getName(), "service");
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        static void onExit(@Advice.Enter Object token) {
            ClientBridge.handlerExit(token);
        }
    }

    /** {@code Filter.Chain.doFilter(HttpExchange)}: the chain's {@code handler} is the user's handler. */
    public static final class FilterChainAdvice {

        private FilterChainAdvice() {
        }

        @Advice.OnMethodEnter(suppress = Throwable.class)
        static Object onEnter(@Advice.FieldValue("handler") Object handler) {
            return ClientBridge.handlerEnter(handler == null ? "unknown" : handler.getClass().getName(), "handle");
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        static void onExit(@Advice.Enter Object token) {
            ClientBridge.handlerExit(token);
        }
    }

    /** A method from the {@code handlers} option (static or not). */
    public static final class UserHandlerAdvice {

        private UserHandlerAdvice() {
        }

        @Advice.OnMethodEnter(suppress = Throwable.class)
        static Object onEnter(@Advice.Origin("#t") String type, @Advice.Origin("#m") String method) {
            return ClientBridge.handlerEnter(type, method);
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        static void onExit(@Advice.Enter Object token) {
            ClientBridge.handlerExit(token);
        }
    }
}
