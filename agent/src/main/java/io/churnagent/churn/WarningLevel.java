package io.churnagent.churn;

/** How close a destination's projected port load is to its capacity, in rising order. */
public enum WarningLevel {
    /** Below {@code warn.ratio}. */
    NONE,
    /** At or above {@code warn.ratio}: logged as WARN. */
    WARN,
    /** At or above {@code critical.ratio}: logged as ERROR. */
    CRITICAL
}
