package io.churnagent.junit;

import org.junit.jupiter.api.extension.ExtendWith;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Fails the test (each test of an annotated class) when code built a client (an HTTP client, a gRPC
 * channel, a Redis or database connection, any family the agent knows) inside a request handler
 * while it ran. The failure is the agent's {@code client_per_request} warning: the call site, its
 * trimmed stack and the family's fix.
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
@ExtendWith(ChurnExtension.class)
public @interface NoClientPerRequest {
}
