package io.churnagent.log;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.FileAppender;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.LayoutBase;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import org.slf4j.Logger;

import java.nio.charset.StandardCharsets;

/**
 * The agent's own Logback, configured in code; thread-safe once built.
 *
 * <p>It is a private {@link LoggerContext}: it never reads {@code logback.xml}, is never found by the
 * application's SLF4J (the shaded jar carries no service files), and so leaves the application's
 * logging exactly as it was. Every line starts with {@value #MARKER} in text mode ({@link TextLineLayout});
 * in JSON mode every line is one JSON object ({@link JsonLineLayout}).
 */
public final class AgentLog {

    /** The prefix of every line the agent writes. */
    public static final String MARKER = "[churn-agent]";
    /** The start of an event's explanatory line in text mode (a new line under the event, marked and indented). */
    public static final String CONTINUATION = System.lineSeparator() + MARKER + "     ";

    private final LoggerContext context;
    private final Logger logger;
    private final String problem;

    private AgentLog(LoggerContext context, Logger logger, String problem) {
        this.context = context;
        this.logger = logger;
        this.problem = problem;
    }

    /**
     * A log that writes to {@code logFile} (appending) or, when it is null or cannot be opened, to
     * stderr; {@link #problem()} then says why the file was not used.
     */
    public static AgentLog create(String logFile, String level) {
        return create(logFile, level, false);
    }

    /**
     * As {@link #create(String, String)}; with {@code json} every line is one JSON object without the
     * {@value #MARKER} prefix ({@code log.format=json}), because log pipelines parse the whole line.
     */
    public static AgentLog create(String logFile, String level, boolean json) {
        LoggerContext context = new LoggerContext();
        context.setName("churn-agent");
        // Logback's events read the MDC; without the SLF4J service provider nobody else sets an adapter
        context.setMDCAdapter(new LogbackMDCAdapter());
        String problem = null;
        OutputStreamAppender<ILoggingEvent> appender = null;
        if (logFile != null) {
            FileAppender<ILoggingEvent> file = new FileAppender<>();
            file.setFile(logFile);
            file.setAppend(true);
            appender = file;
            if (!start(context, file, json)) {
                problem = "cannot write log.file=" + logFile + "; logging to stderr instead";
                appender = null;
            }
        }
        if (appender == null) {
            ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
            console.setTarget("System.err");
            start(context, console, json);
        }
        ch.qos.logback.classic.Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.toLevel(level, Level.INFO));
        context.start();
        return new AgentLog(context, context.getLogger("churn-agent"), problem);
    }

    private static boolean start(LoggerContext context, OutputStreamAppender<ILoggingEvent> appender, boolean json) {
        LayoutBase<ILoggingEvent> layout = json ? new JsonLineLayout() : new TextLineLayout();
        layout.setContext(context);
        layout.start();
        LayoutWrappingEncoder<ILoggingEvent> encoder = new LayoutWrappingEncoder<>();
        encoder.setContext(context);
        encoder.setLayout(layout);
        encoder.setCharset(StandardCharsets.UTF_8);
        encoder.start();
        appender.setContext(context);
        appender.setName(appender instanceof FileAppender ? "file" : "stderr");
        appender.setEncoder(encoder);
        appender.start();
        if (!appender.isStarted()) {
            return false;
        }
        context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).addAppender(appender);
        return true;
    }

    /** The agent's logger. */
    public Logger logger() {
        return logger;
    }

    /** Why the requested log file is not used, or null. */
    public String problem() {
        return problem;
    }

    /** Flushes and closes the appenders. */
    public void stop() {
        context.stop();
    }
}
