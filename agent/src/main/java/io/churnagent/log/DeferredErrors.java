package io.churnagent.log;

import org.slf4j.Logger;

import java.util.ArrayList;
import java.util.List;

/**
 * Error lines for the agent log that may come before the log is open: the instrumentation is
 * installed first (connections are counted sooner), and a class it cannot weave reports that at
 * once. Kept until {@link #open(Logger)} (the first {@value #MAX_WAITING}; later ones are counted),
 * then written in order; afterwards written at once, to the logger given last. Thread-safe (classes
 * load on any thread).
 */
public final class DeferredErrors {

    /** At most this many errors are kept before the log opens; later ones are only counted. */
    static final int MAX_WAITING = 100;

    private final String where;
    private final String remark;
    private final List<String> waiting = new ArrayList<>();
    private int dropped; // guarded by this
    private Logger log; // guarded by this

    /**
     * Each error becomes {@code event=agent_error where=<where> error="<error>" <remark>}.
     *
     * @param remark what the error costs, in parentheses (or null)
     */
    public DeferredErrors(String where, String remark) {
        this.where = where;
        this.remark = remark;
    }

    private void write(String error) {
        LogEvent event = LogEvent.of("agent_error").add("where", where).add("error", error);
        log.error("{}", remark == null ? event : event.remark(remark));
    }

    /** Writes {@code error} to the log, or keeps it until there is one. */
    public synchronized void report(String error) {
        if (log == null) {
            if (waiting.size() < MAX_WAITING) {
                waiting.add(error);
            } else {
                dropped++;
            }
        } else {
            write(error);
        }
    }

    /** Makes {@code logger} the log: writes what was kept, then every later error goes to it. */
    public synchronized void open(Logger logger) {
        log = logger;
        for (String error : waiting) {
            write(error);
        }
        if (dropped > 0) {
            write("and " + dropped + " more like these before the log was open (not kept)");
        }
        waiting.clear();
        dropped = 0;
    }
}
