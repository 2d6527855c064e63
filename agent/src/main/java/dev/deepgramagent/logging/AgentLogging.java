package dev.deepgramagent.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.Layout;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import dev.deepgramagent.config.AgentConfig;
import org.slf4j.Logger;

/**
 * The agent's own log: a private, relocated logback context configured in code. It never reads a
 * configuration file, never goes through SLF4J's provider lookup and never touches the app's
 * logging. Created on first use, which is never on the {@code premain} path nor, unless the start
 * has something to report beside the start line, on the start thread.
 */
public final class AgentLogging {

    /** Null until configure(): the defaults are parsed only if something logs before it. */
    private static volatile AgentConfig config;
    private static volatile LoggerContext context;

    private AgentLogging() {
    }

    /** Sets the configuration used when the context is first created. */
    public static void configure(AgentConfig agentConfig) {
        config = agentConfig;
    }

    public static Logger logger(String name) {
        return context().getLogger("deepgram-agent." + name);
    }

    /** Whether the configured level lets debug lines through; asks no logback context. */
    public static boolean debugEnabled() {
        return levelRank() <= 1;
    }

    /**
     * Writes the agent's start line. While nothing else has needed logback's context (about 20 ms
     * of class loading on the start thread, which shares the app's cores during its start-up), it
     * is written straight to stderr in the configured layout; the context is created by the first
     * other line, or ahead of a session's first line ({@link #prepare}).
     */
    public static void startLine(String message) {
        if (context != null) {
            logger("agent").info("{}", message);
            return;
        }
        if (levelRank() > 2) {
            return; // warn, error or off
        }
        AgentConfig cfg = config != null ? config : AgentConfig.defaults();
        long now = System.currentTimeMillis();
        String line = cfg.jsonLogs() ? LogLines.json(now, "INFO", "deepgram-agent.agent", message, null, null)
                : LogLines.text(now, "INFO", message, null, null);
        java.io.PrintStream err = System.err;
        err.print(line);
        err.flush();
    }

    /** Creates the context now if nothing has yet: called ahead of a session's first line, off the library's thread. */
    public static void prepare() {
        context();
    }

    /** trace 0, debug 1, info 2, warn 3, error 4, off 5: the configured level, as logback reads it. */
    private static int levelRank() {
        AgentConfig cfg = config;
        String level = cfg == null ? "info" : cfg.logLevel(); // lower case: the configuration normalizes it
        switch (level) {
            case "trace": return 0;
            case "debug": return 1;
            case "warn": return 3;
            case "error": return 4;
            case "off": return 5;
            default: return 2;
        }
    }

    private static LoggerContext context() {
        LoggerContext ctx = context;
        if (ctx == null) {
            synchronized (AgentLogging.class) {
                ctx = context;
                if (ctx == null) {
                    AgentConfig cfg = config;
                    ctx = create(cfg != null ? cfg : AgentConfig.defaults());
                    context = ctx;
                }
            }
        }
        return ctx;
    }

    static LoggerContext create(AgentConfig cfg) {
        LoggerContext ctx = new LoggerContext();
        ctx.setName("deepgram-agent");
        // Normally set by SLF4J's provider lookup, which the agent never runs.
        ctx.setMDCAdapter(new LogbackMDCAdapter());
        Layout<ILoggingEvent> layout = cfg.jsonLogs() ? new JsonLayout() : new TextLayout();
        layout.setContext(ctx);
        layout.start();
        LayoutWrappingEncoder<ILoggingEvent> encoder = new LayoutWrappingEncoder<>();
        encoder.setContext(ctx);
        encoder.setLayout(layout);
        encoder.start();
        ConsoleAppender<ILoggingEvent> appender = new ConsoleAppender<>();
        appender.setContext(ctx);
        appender.setName("stderr");
        appender.setTarget("System.err");
        appender.setEncoder(encoder);
        appender.start();
        ch.qos.logback.classic.Logger root = ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.detachAndStopAllAppenders();
        root.addAppender(appender);
        root.setLevel(Level.toLevel(cfg.logLevel(), Level.INFO));
        ctx.start();
        return ctx;
    }
}
