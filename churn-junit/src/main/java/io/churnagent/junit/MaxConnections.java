package io.churnagent.junit;

import org.junit.jupiter.api.extension.ExtendWith;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Repeatable;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Fails the test (each test of an annotated class) when it opened more than {@link #value()} TCP
 * connections, to {@link #to()} or, when that is empty, to all destinations together. The failure
 * names the destination, the counts and rate, the lines that opened them with their stacks, and
 * the fix. Repeatable, one per destination.
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
@Repeatable(MaxConnections.List.class)
@ExtendWith(ChurnExtension.class)
public @interface MaxConnections {

    /** The most connections the test may open. */
    long value();

    /**
     * {@code host:port} as the code asked for it ({@code localhost:8080}) or as the IP it connected
     * to ({@code 127.0.0.1:8080}, {@code [::1]:8080}); empty for every destination together.
     */
    String to() default "";

    /** The container of repeated {@link MaxConnections}. */
    @Documented
    @Inherited
    @Retention(RetentionPolicy.RUNTIME)
    @Target({ElementType.TYPE, ElementType.METHOD})
    @ExtendWith(ChurnExtension.class)
    @interface List {
        MaxConnections[] value();
    }
}
