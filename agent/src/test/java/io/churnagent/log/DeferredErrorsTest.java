package io.churnagent.log;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;

class DeferredErrorsTest {

    @TempDir
    Path dir;

    private List<String> lines(Path file) throws Exception {
        return Files.exists(file) ? Files.readAllLines(file).stream().map(l -> l.substring(l.indexOf("ERROR")))
                .collect(Collectors.toList()) : List.of();
    }

    @Test
    void errorsBeforeTheLogIsOpenAreWrittenInOrderWhenItOpensAndLaterOnesAtOnce() throws Exception {
        DeferredErrors errors = new DeferredErrors("instrumentation", "(not counted)");
        errors.report("cannot instrument a.B: x");
        errors.report("cannot instrument c.D: y");
        Path first = dir.resolve("first.log");
        AgentLog log = AgentLog.create(first.toString(), "info");
        assertEquals(List.of(), lines(first), "nothing is written before the log is given");
        errors.open(log.logger());
        errors.report("cannot instrument e.F: z");
        assertEquals(List.of("ERROR event=agent_error where=instrumentation error=\"cannot instrument a.B: x\" (not counted)",
                "ERROR event=agent_error where=instrumentation error=\"cannot instrument c.D: y\" (not counted)",
                "ERROR event=agent_error where=instrumentation error=\"cannot instrument e.F: z\" (not counted)"), lines(first));
        log.stop();

        Path second = dir.resolve("second.log"); // a re-attach with another log.file
        AgentLog next = AgentLog.create(second.toString(), "info");
        errors.open(next.logger());
        errors.report("cannot instrument g.H: w");
        assertEquals(List.of("ERROR event=agent_error where=instrumentation error=\"cannot instrument g.H: w\" (not counted)"), lines(second));
        assertEquals(3, lines(first).size(), "the old log gets nothing more");
        next.stop();
    }

    @Test
    void whatWaitsIsBoundedAndTheRestIsCounted() throws Exception {
        DeferredErrors errors = new DeferredErrors("instrumentation", null);
        for (int i = 0; i < DeferredErrors.MAX_WAITING + 5; i++) {
            errors.report("cannot instrument c" + i);
        }
        Path file = dir.resolve("bounded.log");
        AgentLog log = AgentLog.create(file.toString(), "info");
        errors.open(log.logger());
        List<String> lines = lines(file);
        assertEquals(DeferredErrors.MAX_WAITING + 1, lines.size());
        assertEquals("ERROR event=agent_error where=instrumentation error=\"cannot instrument c0\"", lines.get(0));
        assertEquals("ERROR event=agent_error where=instrumentation error=\"and 5 more like these before the log was open (not kept)\"",
                lines.get(lines.size() - 1));
        log.stop();
    }
}
