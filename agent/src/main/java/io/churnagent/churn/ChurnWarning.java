package io.churnagent.churn;

/** A decision to warn about one destination: its figures and how bad they are; immutable. */
public final class ChurnWarning {

    private final DestinationFigures figures;
    private final WarningLevel level;

    /** A warning about {@code figures} at {@code level} (WARN or CRITICAL). */
    public ChurnWarning(DestinationFigures figures, WarningLevel level) {
        this.figures = figures;
        this.level = level;
    }

    public DestinationFigures figures() {
        return figures;
    }

    /** {@link WarningLevel#WARN} or {@link WarningLevel#CRITICAL}, never NONE. */
    public WarningLevel level() {
        return level;
    }
}
