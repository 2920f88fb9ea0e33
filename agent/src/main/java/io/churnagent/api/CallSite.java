package io.churnagent.api;

import java.util.List;
import java.util.function.Supplier;

/**
 * Where the application opened a connection or built a client: its first application frame and the
 * application's part of the stack, trimmed; immutable (the frames are described when first asked for).
 */
public final class CallSite {

    private final String site;
    private final Supplier<List<String>> frames;
    private final int omitted;

    private CallSite(String site, Supplier<List<String>> frames, int omitted) {
        this.site = site;
        this.frames = frames;
        this.omitted = omitted;
    }

    public static CallSite of(String site, List<String> frames, int omitted) {
        List<String> copy = List.copyOf(frames);
        return new CallSite(site, () -> copy, omitted);
    }

    /** A site whose frames {@code frames} describes when first asked for; it must return the same list each time. */
    public static CallSite described(String site, Supplier<List<String>> frames, int omitted) {
        return new CallSite(site, frames, omitted);
    }

    /** {@code Class.method(File.java:LINE)} of the first application frame, or null when the stack had none. */
    public String site() {
        return site;
    }

    /** The application's frames, site first, {@code Class.method(File.java:LINE)} each. */
    public List<String> frames() {
        return frames.get();
    }

    /** Application frames left out of {@link #frames}. */
    public int omitted() {
        return omitted;
    }

    @Override
    public String toString() {
        return String.valueOf(site);
    }
}
