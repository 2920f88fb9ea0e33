package io.churnagent.junit;

import org.junit.jupiter.api.extension.ExtendWith;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Fails the test (each test of an annotated class) when it opened more connections per request than
 * {@link #connectionsPerRequest()}: a client built per request opens about one (or more) per request,
 * a shared keep-alive client a handful in all. Requests are those the JVM's request handlers served
 * during the test (servlets, Spring, the JDK's HttpServer, Netty...), plus any the test declares with
 * {@link ChurnCheck#requestsSent(long)}; a test with a budget and no request fails, since nothing could
 * be checked.
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
@ExtendWith(ChurnExtension.class)
public @interface ChurnBudget {

    /** The most connections per request, e.g. {@code 0.1}: 100 requests may open 10 connections. */
    double connectionsPerRequest();

    /** Only connections to this {@code host:port} count (as {@link MaxConnections#to()}); empty: all. */
    String to() default "";
}
