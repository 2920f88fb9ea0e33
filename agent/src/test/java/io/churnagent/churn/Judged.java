package io.churnagent.churn;

import java.util.ArrayList;
import java.util.List;

/** Verdicts on figures for tests that render them: {@link DestinationVerdict#judge}, the one level rule. */
public final class Judged {

    private Judged() {
    }

    /** The verdict on {@code f} with the side unknown, a warning due. */
    public static DestinationVerdict of(DestinationFigures f) {
        return of(f, TimeWaitSide.Side.UNKNOWN);
    }

    /** The verdict on {@code f} given {@code side}, a warning due. */
    public static DestinationVerdict of(DestinationFigures f, TimeWaitSide.Side side) {
        return DestinationVerdict.judge(f, side, true);
    }

    /** The verdicts on {@code figures}, sides unknown, no warning due. */
    public static List<DestinationVerdict> all(List<DestinationFigures> figures) {
        List<DestinationVerdict> verdicts = new ArrayList<>();
        for (DestinationFigures f : figures) {
            verdicts.add(DestinationVerdict.judge(f, TimeWaitSide.Side.UNKNOWN, false));
        }
        return verdicts;
    }
}
