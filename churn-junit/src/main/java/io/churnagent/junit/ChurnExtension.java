package io.churnagent.junit;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.platform.commons.support.AnnotationSupport;
import org.opentest4j.TestAbortedException;

import java.lang.reflect.AnnotatedElement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Counts, per test and per test class, what the churn agent counts, and fails the tests whose
 * {@link NoClientPerRequest}, {@link MaxConnections} or {@link ChurnBudget} the code broke; a
 * {@link ChurnCheck} parameter gives the figures to the test itself. Loads the agent into the test
 * JVM when it is not there (see {@link AgentLoading}); configuration parameters:
 * {@code churn.agent.options} (the agent's options for that load) and {@code churn.junit.unavailable}
 * ({@code fail}, the default, or {@code skip} when the agent cannot be loaded).
 *
 * <p>Register it with {@code @ExtendWith(ChurnExtension.class)} or any of the annotations. Works with
 * parallel execution: a test's events are those of its thread and the threads started from it (see
 * {@link ScopeRecorder} for threads that belong to no running test).
 */
public final class ChurnExtension implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback,
        AfterEachCallback, ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(ChurnExtension.class);
    // keyed by the context's id: a store's get also finds its ancestors' entries, and a test must not find its class's
    private static final String SCOPE = "scope:";
    private static final String BEFORE = "before:";

    @Override
    public void beforeAll(ExtensionContext context) {
        load(context);
        enter(context, new Scope(context.getDisplayName(), false, enclosingClassScope(context)));
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        load(context);
        Scope classScope = scopeOf(context.getParent().orElse(null));
        enter(context, new Scope(testName(context), true, classScope));
    }

    @Override
    public void afterEach(ExtensionContext context) {
        Scope scope = exit(context);
        if (scope == null) {
            return;
        }
        context.publishReportEntry("churn", new ChurnCheck(scope).toString());
        List<String> failures = new ArrayList<>();
        AnnotatedElement method = context.getRequiredTestMethod();
        Class<?> type = context.getRequiredTestClass();
        if (has(method, NoClientPerRequest.class) || has(type, NoClientPerRequest.class)) {
            add(failures, ChurnFailures.clientPerRequest(scope));
        }
        for (AnnotatedElement e : new AnnotatedElement[] {method, type}) {
            for (MaxConnections max : AnnotationSupport.findRepeatableAnnotations(e, MaxConnections.class)) {
                add(failures, ChurnFailures.maxConnections(scope, max.value(), max.to()));
            }
            Optional<ChurnBudget> budget = AnnotationSupport.findAnnotation(e, ChurnBudget.class);
            if (budget.isPresent()) {
                add(failures, ChurnFailures.budget(scope, new ChurnCheck(scope).requests(),
                        budget.get().connectionsPerRequest(), budget.get().to()));
            }
        }
        if (!failures.isEmpty()) {
            throw new AssertionError(String.join(System.lineSeparator() + System.lineSeparator(), failures));
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        Scope scope = exit(context);
        if (scope != null) {
            context.publishReportEntry("churn", new ChurnCheck(scope).toString());
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == ChurnCheck.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        for (ExtensionContext c = context; c != null; c = c.getParent().orElse(null)) {
            Scope scope = scopeOf(c);
            if (scope != null) {
                return new ChurnCheck(scope);
            }
        }
        throw new ParameterResolutionException("no churn counts for " + context.getDisplayName()
                + ": a ChurnCheck is given to test methods and to @BeforeEach/@AfterEach/@BeforeAll/@AfterAll "
                + "methods, not to constructors");
    }

    private static void load(ExtensionContext context) {
        String unavailable = context.getConfigurationParameter(AgentLoading.UNAVAILABLE).orElse("fail");
        if (!unavailable.equals("fail") && !unavailable.equals("skip")) {
            throw new ExtensionConfigurationException("churn-agent-junit: " + AgentLoading.UNAVAILABLE + "="
                    + unavailable + " is not one of fail, skip");
        }
        String options = context.getConfigurationParameter(AgentLoading.OPTIONS).orElse("");
        String failure = AgentLoading.ensureLoaded(options);
        if (failure == null) {
            return;
        }
        String message = "churn-agent-junit: " + failure;
        if (unavailable.equals("skip")) {
            throw new TestAbortedException(message + " (" + AgentLoading.UNAVAILABLE + "=skip)");
        }
        throw new ExtensionConfigurationException(message + " (set " + AgentLoading.UNAVAILABLE
                + "=skip to skip these tests instead)");
    }

    private static void enter(ExtensionContext context, Scope scope) {
        ExtensionContext.Store store = context.getStore(NAMESPACE);
        store.put(SCOPE + context.getUniqueId(), scope);
        Scope before = ScopeRecorder.INSTANCE.enter(scope);
        if (before != null) {
            store.put(BEFORE + context.getUniqueId(), before);
        }
    }

    private static Scope exit(ExtensionContext context) {
        ExtensionContext.Store store = context.getStore(NAMESPACE);
        Scope scope = store.remove(SCOPE + context.getUniqueId(), Scope.class);
        if (scope == null) {
            return null; // the agent could not be loaded: beforeAll/beforeEach failed or aborted already
        }
        ScopeRecorder.INSTANCE.exit(scope, store.remove(BEFORE + context.getUniqueId(), Scope.class));
        return scope;
    }

    private static Scope scopeOf(ExtensionContext context) {
        return context == null ? null : context.getStore(NAMESPACE).get(SCOPE + context.getUniqueId(), Scope.class);
    }

    /** The scope of the class a {@code @Nested} class is inside, or null. */
    private static Scope enclosingClassScope(ExtensionContext context) {
        for (ExtensionContext c = context.getParent().orElse(null); c != null; c = c.getParent().orElse(null)) {
            Scope s = scopeOf(c);
            if (s != null) {
                return s;
            }
        }
        return null;
    }

    private static String testName(ExtensionContext context) {
        return context.getRequiredTestClass().getSimpleName() + "." + context.getRequiredTestMethod().getName()
                + (context.getDisplayName().startsWith(context.getRequiredTestMethod().getName() + "(")
                ? "" : " [" + context.getDisplayName() + "]");
    }

    private static boolean has(AnnotatedElement e, Class<? extends java.lang.annotation.Annotation> type) {
        return AnnotationSupport.isAnnotated(e, type);
    }

    private static void add(List<String> failures, String failure) {
        if (failure != null) {
            failures.add(failure);
        }
    }
}
