package io.churnagent.it;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A test run once per JDK of {@link Jdks#all()} (JDK 17 and Temurin 25 in the build), its one
 * parameter the JDK's home ({@code Path jdk}), named by it in the report.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@ParameterizedTest(name = "{0}")
@MethodSource("io.churnagent.it.Jdks#all")
public @interface OnEachJdk {
}
