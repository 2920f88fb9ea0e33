package io.churnagent.log;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.LayoutBase;

import java.time.Instant;
import java.util.Locale;

/**
 * Lays out every agent log event as exactly one JSON object on one line, with no prefix, so that a
 * log pipeline can parse the whole line; thread-safe (stateless).
 *
 * <p>An event logged as {@code log.info("{}", logEvent)} is rendered from its typed fields
 * ({@link LogEvent#toJson}). The agent logs nothing else (LogCallsTest); should another message
 * reach this layout, or rendering ever fail, the line still comes out as one JSON object, the text
 * in its {@code message}, so that no line escapes JSON mode.
 */
final class JsonLineLayout extends LayoutBase<ILoggingEvent> {

    private static final String NEWLINE = System.lineSeparator();

    @Override
    public String doLayout(ILoggingEvent event) {
        Instant time = Instant.ofEpochMilli(event.getTimeStamp());
        String level = event.getLevel().toString().toLowerCase(Locale.ROOT);
        try {
            Object[] args = event.getArgumentArray();
            if (args != null && args.length == 1 && args[0] instanceof LogEvent && "{}".equals(event.getMessage())) {
                return ((LogEvent) args[0]).toJson(time, level) + NEWLINE;
            }
            return new LogEvent().remark(event.getFormattedMessage()).toJson(time, level) + NEWLINE;
        } catch (RuntimeException e) {
            return LogEvent.of("agent_log_error").add("error", e.toString())
                    .explain(String.valueOf(event.getMessage())).toJson(time, level) + NEWLINE;
        }
    }
}
