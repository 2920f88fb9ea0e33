package io.churnagent.churn;

/** How close a destination's projected port load is to its capacity, in rising order. */
public enum WarningLevel {
    /** Below {@code warn.ratio}. */
    NONE("none"),
    /** At or above {@code warn.ratio}: logged as WARN. */
    WARN("warn"),
    /** At or above {@code critical.ratio}: logged as ERROR. */
    CRITICAL("critical");

    private final String label;

    WarningLevel(String label) {
        this.label = label;
    }

    /**
     * The one name of the level in every output: {@code level=} of a log line, the JMX
     * {@code WarningLevel} attribute, the JFR events' {@code warningLevel}, the HTML page.
     */
    public String label() {
        return label;
    }

    /** One step lower: CRITICAL to WARN, WARN to NONE, NONE stays. */
    WarningLevel lower() {
        return this == CRITICAL ? WARN : NONE;
    }
}
