package io.churnagent.it;

import io.churnagent.it.programs.UnlistedLibrary;

import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A connection per request through a library the agent does not list ({@code org.example.vendorlib},
 * three frames deep, like a database driver) is named at the application's line that calls it: the
 * agent finds the application's own packages (the main class's and the handler's) instead of taking
 * the first frame the list does not know. With {@code app.packages} naming the library, its frame is
 * the site again, which proves the option is read.
 */
class UnlistedLibraryIT {

    private static final int REQUESTS = 150;
    private static final String OPTIONS = "evaluate.interval=200ms,capacity=200,report.interval=off";

    @OnEachJdk
    void theSiteIsTheApplicationsLineNotTheLibrarys(Path jdk) throws Exception {
        ForkedJvm jvm = run(jdk, OPTIONS);
        String site = "io.churnagent.it.programs.UnlistedLibrary.lookup(UnlistedLibrary.java:"
                + SourceMarkers.lineOf(UnlistedLibrary.class, "SITE:vendor") + ")";
        AgentEvent warning = warning(jvm);
        assertEquals(site, warning.get("site"), () -> warning.toString());
        assertFalse(jvm.stderr().contains("    at org.example.vendorlib."), () -> "the library's frames above the site "
                + "are not the application's stack: " + jvm.stderr());
        AgentEvent started = jvm.agentEvents().stream().filter(e -> "agent_started".equals(e.event())).findFirst().orElseThrow();
        assertEquals("io.churnagent.", started.get("app_packages"), () -> started.toString());
    }

    @OnEachJdk
    void appPackagesAddsTheLibrarysPackage(Path jdk) throws Exception {
        ForkedJvm jvm = run(jdk, OPTIONS + ",app.packages=org.example.vendorlib");
        AgentEvent warning = warning(jvm);
        assertTrue(warning.get("site").startsWith("org.example.vendorlib.VendorDb.createSocket(VendorDb.java:"),
                () -> warning.toString());
    }

    private static AgentEvent warning(ForkedJvm jvm) throws Exception {
        String destination = "127.0.0.1:" + jvm.announced("port ").get("backend");
        // capacity=200: 100 ports held for 60 s, 1.7 closes/s
        return ReportAssertions.assertWarned(jvm.agentEvents(), destination,
                ReportAssertions.closesPerSecondNeeded(200, 0.5), OPTIONS, jvm);
    }

    private static ForkedJvm run(Path jdk, String options) throws Exception {
        ForkedJvm jvm = new ForkedJvm(jdk).withAgent(options).mainClass(UnlistedLibrary.class, Integer.toString(REQUESTS));
        assertEquals(0, jvm.run(Duration.ofSeconds(90)), () -> "program failed: " + jvm.output());
        assertTrue(jvm.stdout().contains("ok " + REQUESTS + "\n"), () -> jvm.output());
        return jvm;
    }
}
