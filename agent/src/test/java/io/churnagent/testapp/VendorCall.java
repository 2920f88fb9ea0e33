package io.churnagent.testapp;

import io.churnagent.churn.TrimmedStack;
import org.vendorlib.VendorClient;

/**
 * Stacks for StackWalkerSourceTest: an application handler that opens a connection through an
 * unlisted library ({@link VendorClient}); {@link #line} is the line that calls into the library.
 */
public final class VendorCall {

    public static int line;

    private VendorCall() {
    }

    /** The library's capture, under {@code handlerType}'s {@code handle} (both may be null). */
    public static TrimmedStack handle(String handlerType) {
        line = new Throwable().getStackTrace()[0].getLineNumber() + 1;
        return VendorClient.open(handlerType);
    }
}
