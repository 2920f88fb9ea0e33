package io.churnagent.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The options that were read and the problems met on the way; immutable and thread-safe.
 *
 * <p>Problems are complete sentences for the agent's log, one per line; an empty list means every
 * option that was given was understood.
 */
public final class ParseResult {

    private final AgentOptions options;
    private final List<String> problems;

    ParseResult(AgentOptions options, List<String> problems) {
        this.options = options;
        this.problems = Collections.unmodifiableList(new ArrayList<>(problems));
    }

    /** The options to run with; never null. */
    public AgentOptions options() {
        return options;
    }

    /** Unmodifiable, never null, in the order the problems were found. */
    public List<String> problems() {
        return problems;
    }

    @Override
    public String toString() {
        return "ParseResult{" + options.describe() + ", problems=" + problems + '}';
    }
}
