package io.churnagent.churn;

/** A monotonic nanosecond clock, injectable so that the model can be tested without sleeping. */
public interface Ticker {

    /** The system's monotonic clock. */
    Ticker SYSTEM = System::nanoTime;

    /** Nanoseconds from an arbitrary origin; only differences are meaningful. */
    long nanoTime();
}
