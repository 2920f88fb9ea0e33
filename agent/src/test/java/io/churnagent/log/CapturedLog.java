package io.churnagent.log;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;

import java.util.ArrayList;
import java.util.List;

/**
 * A Logback logger in a context of its own that keeps every event, for tests that read what the agent
 * logged; nothing reaches the console or any other test's logging.
 */
public final class CapturedLog {

    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
    private final Logger logger;

    public CapturedLog() {
        LoggerContext context = new LoggerContext();
        appender.setContext(context);
        appender.start();
        logger = context.getLogger("test");
        logger.addAppender(appender);
    }

    /** The logger to hand to the code under test. */
    public org.slf4j.Logger logger() {
        return logger;
    }

    /** {@code LEVEL message} of each event logged so far (ERROR, WARN, INFO, ...), oldest first. */
    public List<String> lines() {
        List<String> lines = new ArrayList<>();
        for (ILoggingEvent e : appender.list) {
            lines.add(e.getLevel() + " " + e.getFormattedMessage());
        }
        return lines;
    }

    /** The formatted messages logged so far, oldest first. */
    public List<String> messages() {
        List<String> messages = new ArrayList<>();
        for (ILoggingEvent e : appender.list) {
            messages.add(e.getFormattedMessage());
        }
        return messages;
    }
}
