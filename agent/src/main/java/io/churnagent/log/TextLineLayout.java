package io.churnagent.log;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.LayoutBase;

import java.time.ZoneId;

/**
 * Lays out an agent log event as one text line: {@value AgentLog#MARKER}, the local time with its
 * offset, the level padded to five characters, the message; a throwable's stack follows on its own
 * lines. Thread-safe (stateless but for the zone, fixed at start).
 *
 * <p>It writes what Logback's {@code PatternLayout} wrote with
 * {@code [churn-agent] %d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level %msg%n}, without that class: its
 * static initialiser makes 66 lambdas, and each is a class spun at run time that the JIT then
 * compiles, inside an application the agent has just joined (docs/PERFORMANCE.md, fifth session).
 * The time is written by {@link IsoTime}, not by java.time's formatters (see there why).
 */
final class TextLineLayout extends LayoutBase<ILoggingEvent> {

    private static final String NEWLINE = System.lineSeparator();

    private final ZoneId zone = ZoneId.systemDefault();

    @Override
    public String doLayout(ILoggingEvent event) {
        StringBuilder line = new StringBuilder(200);
        line.append(AgentLog.MARKER).append(' ');
        IsoTime.append(event.getTimeStamp(), zone, line);
        String level = event.getLevel().toString();
        line.append(' ').append(level);
        for (int i = level.length(); i < 5; i++) {
            line.append(' ');
        }
        line.append(' ').append(event.getFormattedMessage()).append(NEWLINE);
        IThrowableProxy thrown = event.getThrowableProxy();
        if (thrown != null) {
            line.append(ThrowableProxyUtil.asString(thrown)).append(NEWLINE);
        }
        return line.toString();
    }
}
