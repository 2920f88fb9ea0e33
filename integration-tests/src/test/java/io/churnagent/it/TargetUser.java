package io.churnagent.it;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/** Whether a test can run a process as a second user (uid 65534) with setpriv: root only. */
final class TargetUser {

    private TargetUser() {
    }

    static boolean canSwitchUsers() {
        return why().isEmpty();
    }

    /** Empty when it can; otherwise what is missing. */
    static String why() {
        String uid = System.getProperty("user.name");
        if (!"root".equals(uid)) {
            return "the tests run as " + uid + ", not root";
        }
        for (String dir : new String[] {"/usr/bin", "/bin", "/usr/sbin", "/sbin"}) {
            Path setpriv = Paths.get(dir, "setpriv");
            if (Files.isExecutable(setpriv)) {
                return "";
            }
        }
        return "setpriv (util-linux) is not installed";
    }
}
