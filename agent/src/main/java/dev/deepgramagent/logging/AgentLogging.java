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
 * logging. Created on first use, which is never on the {@code premain} path.
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
