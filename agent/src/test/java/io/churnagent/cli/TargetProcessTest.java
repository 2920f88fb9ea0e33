package io.churnagent.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TargetProcessTest {

    @Test
    void readsTheEffectiveUidAndTheJvmFlagsOfAFakeProc(@TempDir Path proc) throws Exception {
        Path dir = Files.createDirectories(proc.resolve("4242"));
        Files.writeString(dir.resolve("status"), "Name:\tjava\nUid:\t1000\t1001\t1001\t1001\nGid:\t1000\t1000\t1000\t1000\n");
        Files.write(dir.resolve("cmdline"), "java\0-XX:+DisableAttachMechanism\0-jar\0app.jar\0"
                .getBytes(StandardCharsets.UTF_8));
        TargetProcess p = TargetProcess.read(proc, 4242);
        assertEquals(1001, p.uid(), "the effective uid (second field) decides");
        assertTrue(p.hasArgument("-XX:+DisableAttachMechanism"));
        assertFalse(p.hasArgument("-XX:+EnableDynamicAgentLoading"));
        assertFalse(p.hasArgument("-XX:+Disable"), "whole arguments only");
    }

    @Test
    void aMissingProcessLeavesEveryFactUnknown(@TempDir Path proc) {
        TargetProcess p = TargetProcess.read(proc, 7);
        assertEquals(-1, p.uid());
        assertEquals("unknown", p.user());
        assertFalse(p.hasArgument("-XX:+DisableAttachMechanism"));
    }

    @Test
    void garbageInStatusIsUnknownNotAnException(@TempDir Path proc) throws Exception {
        Path dir = Files.createDirectories(proc.resolve("9"));
        Files.writeString(dir.resolve("status"), "Uid:\tnot-a-number\n");
        assertEquals(-1, TargetProcess.read(proc, 9).uid());
    }

    @Test
    void javaFeatureVersionsOldAndNew() {
        assertEquals(8, Attach.featureVersion("1.8"));
        assertEquals(11, Attach.featureVersion("11"));
        assertEquals(25, Attach.featureVersion("25"));
        assertEquals(0, Attach.featureVersion(null));
        assertEquals(0, Attach.featureVersion("garbage"));
    }
}
