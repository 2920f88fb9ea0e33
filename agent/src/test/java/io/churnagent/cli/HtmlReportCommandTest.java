package io.churnagent.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code report <pid> --html FILE}: usage errors and an unwritable file are one line each, before any attach. */
class HtmlReportCommandTest {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return CommandLine.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void aMissingFileIsAUsageError() {
        assertEquals(ExitCode.USAGE, run("report", "4711", "--html"));
        assertEquals("churn-agent: usage: report <pid|name-fragment> [--html FILE] (--html needs the file to write)\n",
                err().replace(System.lineSeparator(), "\n"));
        err.reset();
        assertEquals(ExitCode.USAGE, run("report", "4711", "--html="));
        assertEquals(ExitCode.USAGE, run("report", "4711", "--pdf", "x.pdf"));
        assertEquals(ExitCode.USAGE, run("report", "4711", "--html", "--other"));
        assertEquals(ExitCode.USAGE, run("report", "4711", "--html", "a.html", "extra"));
        assertEquals("", out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void anUnwritableFileIsSaidBeforeAttaching(@TempDir Path dir) throws Exception {
        Path missingDir = dir.resolve("no/such/dir/report.html");
        assertEquals(ExitCode.CANNOT_WRITE, run("report", "4711", "--html", missingDir.toString()));
        assertTrue(err().startsWith("churn-agent: cannot write the HTML report to " + missingDir + ": the directory "),
                err());
        assertTrue(err().contains("does not exist"), err());
        assertEquals(1, err().lines().count(), "one line");
        err.reset();
        assertEquals(ExitCode.CANNOT_WRITE, run("report", "4711", "--html=" + dir));
        assertTrue(err().contains("it is a directory"), err());
        assertNull(CommandLine.unwritable(dir.resolve("fine.html")));
    }
}
