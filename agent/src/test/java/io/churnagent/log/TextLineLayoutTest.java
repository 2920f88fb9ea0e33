package io.churnagent.log;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.PatternLayout;
import ch.qos.logback.classic.spi.LoggingEvent;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TextLineLayoutTest {

    /** The pattern the agent's text log used before, through Logback's PatternLayout. */
    private static final String OLD_PATTERN = AgentLog.MARKER + " %d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level %msg%n";

    @Test
    void writesWhatThePatternLayoutWrote() {
        LoggerContext context = new LoggerContext();
        PatternLayout pattern = new PatternLayout();
        pattern.setContext(context);
        pattern.setPattern(OLD_PATTERN);
        pattern.start();
        TextLineLayout text = new TextLineLayout();
        text.setContext(context);
        text.start();
        for (Level level : new Level[] {Level.INFO, Level.WARN, Level.ERROR, Level.DEBUG}) {
            LoggingEvent event = event(context, level, "event=churn_warning destination={} ratio={}",
                    new Object[] {"127.0.0.1:8080", 0.89}, null);
            event.setTimeStamp(1_795_000_123_456L);
            assertEquals(pattern.doLayout(event), text.doLayout(event));
        }
    }

    @Test
    void aThrowableFollowsOnItsOwnLines() {
        LoggerContext context = new LoggerContext();
        TextLineLayout text = new TextLineLayout();
        text.setContext(context);
        text.start();
        String line = text.doLayout(event(context, Level.ERROR, "event=x", null, new IllegalStateException("boom")));
        String[] lines = line.split(System.lineSeparator());
        assertTrue(lines[0].startsWith(AgentLog.MARKER + " ") && lines[0].endsWith(" ERROR event=x"), line);
        assertEquals("java.lang.IllegalStateException: boom", lines[1], line);
        assertTrue(lines[2].trim().startsWith("at io.churnagent.log.TextLineLayoutTest"), line);
    }

    private static LoggingEvent event(LoggerContext context, Level level, String message, Object[] args, Throwable t) {
        return new LoggingEvent("x", context.getLogger("churn-agent"), level, message, t, args);
    }
}
