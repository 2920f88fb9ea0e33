package org.vendorlib;

import io.churnagent.churn.StackSource;
import io.churnagent.churn.TrimmedStack;

/**
 * A stand-in for a client library the agent does not list (by the list alone its frames look like
 * the application's): the capture happens three frames deep inside it, as a library's connect does.
 */
public final class VendorClient {

    private VendorClient() {
    }

    /** The capture, under {@code handlerType}'s {@code handle} (null: no handler). */
    public static TrimmedStack open(String handlerType) {
        return connectToFirstHost(handlerType);
    }

    private static TrimmedStack connectToFirstHost(String handlerType) {
        return createSocket(handlerType);
    }

    private static TrimmedStack createSocket(String handlerType) {
        return handlerType == null ? StackSource.WALKER.trimmed(64) : StackSource.WALKER.trimmed(64, handlerType, "handle");
    }
}
