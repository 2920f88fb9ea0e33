package io.churnagent.it;

import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A test run once per JDK of {@link Jdks#all()} (JDK 17 and Temurin 25 in the build), its one
 * parameter the JDK's home ({@code Path jdk}), named by it in the report. The invocations run side
 * by side, with the class's other {@code @OnEachJdk} tests (two at a time, see
 * {@code junit-platform.properties}): each forks its own JVMs, and a test whose programs read the
 * kernel's socket table runs them in a {@link PrivateNetwork}.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@ParameterizedTest(name = "{0}")
@MethodSource("io.churnagent.it.Jdks#all")
@Execution(ExecutionMode.CONCURRENT)
public @interface OnEachJdk {
}
