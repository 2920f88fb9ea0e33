package io.churnagent.kernel;

import java.nio.file.Path;

/** Lets tests of other packages build the fake /proc of {@link PortOwnersTest}. */
public final class PortOwnersTestAccess {

    private PortOwnersTestAccess() {
    }

    public static Path fakeProc(Path dir) throws Exception {
        return PortOwnersTest.fakeProc(dir);
    }
}
