package io.churnagent.testapp;

import java.util.function.Supplier;

/** "Application" frames for stack tests: a package the agent does not count as its own. */
public final class Recursion {

    private Recursion() {
    }

    /** Calls {@code action} from {@code depth} nested frames of this class. */
    public static <T> T call(int depth, Supplier<T> action) {
        return depth <= 0 ? action.get() : call(depth - 1, action);
    }
}
