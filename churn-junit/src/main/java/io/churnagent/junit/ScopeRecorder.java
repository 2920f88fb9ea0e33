package io.churnagent.junit;

import io.churnagent.api.CallSite;
import io.churnagent.api.ChurnObserver;
import io.churnagent.api.Destination;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The agent's observer while tests run: attributes each event to a test and its classes; thread-safe.
 *
 * <p>A thread belongs to the scope it inherited: the test's thread and every thread started from
 * it (pools, virtual threads, a client's selector) carry the test in an {@link InheritableThreadLocal}.
 * A thread that belongs to a class (a server started in {@code @BeforeAll}, a Spring context's
 * Tomcat) or to a test that has ended (a pool kept across tests) gives its event to the one test
 * of that class running now, else to the one test running anywhere; with several running at once
 * (parallel execution) it stays with the class, or, with no open class, is not attributed.
 */
final class ScopeRecorder implements ChurnObserver {

    static final ScopeRecorder INSTANCE = new ScopeRecorder();

    private final InheritableThreadLocal<Scope> current = new InheritableThreadLocal<>();
    private final Set<Scope> openTests = ConcurrentHashMap.newKeySet();
    /** Events no open test or class could take (threads of tests and classes already ended, with several running). */
    final Scope unattributed = new Scope("(no test)", false, null);

    private ScopeRecorder() {
    }

    Scope enter(Scope scope) {
        Scope before = current.get();
        current.set(scope);
        if (scope.test) {
            openTests.add(scope);
        }
        return before;
    }

    void exit(Scope scope, Scope before) {
        scope.close();
        openTests.remove(scope);
        if (before == null) {
            current.remove();
        } else {
            current.set(before);
        }
    }

    /** The scope an event on this thread belongs to (never null). */
    Scope target() {
        Scope s = current.get();
        if (s != null && s.test && s.open()) {
            return s;
        }
        for (Scope c = s == null ? null : s.test ? s.parent : s; c != null; c = c.parent) {
            if (c.open()) {
                Scope only = c.soleOpenTest();
                return only != null ? only : c;
            }
        }
        Scope only = soleOpenTest();
        return only != null ? only : unattributed;
    }

    private Scope soleOpenTest() {
        return Scope.sole(openTests);
    }

    @Override
    public void connected(Destination destination, CallSite site) {
        for (Scope s = target(); s != null; s = s.parent) {
            s.connected(destination, site);
        }
    }

    @Override
    public void closed(Destination destination) {
        for (Scope s = target(); s != null; s = s.parent) {
            s.closed(destination);
        }
    }

    @Override
    public void clientBuilt(String family, String handler, CallSite stack) {
        for (Scope s = target(); s != null; s = s.parent) {
            s.clientBuilt(family, handler, stack);
        }
    }

    @Override
    public void requestStarted() {
        for (Scope s = target(); s != null; s = s.parent) {
            s.requestsServed.increment();
        }
    }
}
