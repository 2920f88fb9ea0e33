package io.churnagent.churn;

import java.util.function.Supplier;

/**
 * Where the agent's counters hand their events to the installed {@link ChurnObserver}; thread-safe.
 * Without an observer every method is one volatile read. With one, a connect costs a stack walk
 * (the observer wants the line that opened it), and whatever the observer throws is counted and
 * dropped, never passed to the application.
 */
public final class ObserverSlot {

    /** Deep enough for a connect under a servlet container (see {@link ClientSiteRecorder#MAX_DEPTH}). */
    static final int MAX_DEPTH = 256;

    private final StackSource stacks;
    private final Supplier<Object> owningClientSite;
    private volatile ChurnObserver observer;
    private volatile Throwable lastFault;

    /**
     * @param owningClientSite the site ({@link TrimmedStack}) of the client that owns the current
     *                         thread, or null; asked only when a connect's stack has no application
     *                         frame (may itself be null: no such fallback)
     */
    public ObserverSlot(StackSource stacks, Supplier<Object> owningClientSite) {
        this.stacks = stacks;
        this.owningClientSite = owningClientSite;
    }

    /** A slot for units that need none: nothing is ever installed in it by the agent. */
    static ObserverSlot none() {
        return new ObserverSlot(StackSource.WALKER, null);
    }

    /**
     * Installs {@code newObserver} in place of any other; returns what removes it again (if it is
     * still the one installed). A named class, not a lambda: this runs late, inside the application.
     */
    public Runnable install(ChurnObserver newObserver) {
        observer = newObserver;
        return new Removal(newObserver);
    }

    private final class Removal implements Runnable {
        private final ChurnObserver installed;

        Removal(ChurnObserver installed) {
            this.installed = installed;
        }

        @Override
        public void run() {
            if (observer == installed) {
                observer = null;
            }
        }
    }

    /** Whether an observer is installed. */
    public boolean active() {
        return observer != null;
    }

    /** The last exception an observer threw, or null. */
    public Throwable lastFault() {
        return lastFault;
    }

    void connected(DestinationStats d) {
        ChurnObserver o = observer;
        if (o == null) {
            return;
        }
        try {
            TrimmedStack stack = stacks.trimmed(MAX_DEPTH);
            if (stack.site() == null && owningClientSite != null) {
                Object owner = owningClientSite.get();
                if (owner instanceof TrimmedStack) {
                    stack = (TrimmedStack) owner;
                }
            }
            o.connected(d, stack);
        } catch (Throwable t) {
            lastFault = t;
        }
    }

    void closed(DestinationStats d) {
        ChurnObserver o = observer;
        if (o == null) {
            return;
        }
        try {
            o.closed(d);
        } catch (Throwable t) {
            lastFault = t;
        }
    }

    void clientBuilt(String family, String handler, TrimmedStack stack) {
        ChurnObserver o = observer;
        if (o == null) {
            return;
        }
        try {
            o.clientBuilt(family, handler, stack);
        } catch (Throwable t) {
            lastFault = t;
        }
    }

    void requestStarted() {
        ChurnObserver o = observer;
        if (o == null) {
            return;
        }
        try {
            o.requestStarted();
        } catch (Throwable t) {
            lastFault = t;
        }
    }
}
