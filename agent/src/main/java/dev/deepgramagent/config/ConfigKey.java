package dev.deepgramagent.config;

import java.util.Locale;

/**
 * Every configuration key of the agent, its type, default and one-line description. This enum is
 * the single source for parsing, for {@code java -jar deepgram-agent.jar config} and for the docs.
 */
public enum ConfigKey {

    ENABLED("enabled", ValueType.bool(), "true",
            "false installs nothing at all: no class is transformed, no thread is started"),
    MODE("mode", ValueType.oneOf("active", "observe"), "active",
            "active injects Finalize/KeepAlive and defers closes; observe only tracks and reports, never writes to a socket"),
    HOSTS("hosts", ValueType.hostList(), "api.deepgram.com;*.deepgram.com",
            "hosts (any port) or host:port pairs whose WebSockets are Deepgram sessions; *.domain matches subdomains"),
    LOG_LEVEL("log.level", ValueType.oneOf("off", "error", "warn", "info", "debug", "trace"), "info",
            "level of the agent's own log (to stderr, never through the app's logging)"),
    LOG_SESSIONS("log.sessions", ValueType.oneOf("abnormal", "all", "none"), "abnormal",
            "which session ends are logged: abnormal (WARN) and saved (INFO) ones; all, clean ones too (INFO); none"),
    LOG_RATE("log.rate", ValueType.count(), "20",
            "most session lines per second of each kind (ends, warnings, reconnects); the rest are counted in one summary line; metrics stay exact; 0 = no limit"),
    LOG_FORMAT("log.format", ValueType.oneOf("text", "json"), "text",
            "format of the agent's own log lines: text or one JSON object per line"),
    INIT_TIMEOUT("init.timeout", ValueType.duration(), "5s",
            "longest a class load of an instrumented library waits for the agent's background start; past it the class loads uninstrumented"),
    FINALIZE_MODE("finalize.mode", ValueType.oneOf("finalize", "closestream", "off"), "finalize",
            "what the agent sends before the app's close when audio is unflushed: Finalize, CloseStream, or nothing"),
    FINALIZE_TIMEOUT("finalize.timeout", ValueType.duration(), "2s",
            "longest the app's close is deferred waiting for the flush's answer without progress; results covering new audio restart the wait (5x in all)"),
    KEEPALIVE_INTERVAL("keepalive.interval", ValueType.duration(), "4s",
            "send KeepAlive when nothing was sent on an open Deepgram socket for this long (Deepgram closes idle sockets after ~10s); 0 = off"),
    SERVER_IDLE_WINDOW("server.idle.window", ValueType.duration(), "10s",
            "Deepgram's idle window: an app pause longer than this that the agent's KeepAlives carried counts as a session saved"),
    SHUTDOWN_TIMEOUT("shutdown.timeout", ValueType.duration(), "3s",
            "at JVM shutdown, how long open Deepgram sessions get to flush and close"),
    OKHTTP_PING_INTERVAL("okhttp.ping.interval", ValueType.durationOrApp(), "app",
            "OkHttp ping interval on Deepgram sockets (0 = no pings); app keeps the OkHttpClient's setting"),
    OKHTTP_CLOSE_TIMEOUT("okhttp.close.timeout", ValueType.durationOrApp(), "app",
            "how long OkHttp waits for Deepgram to answer a close before cancelling (OkHttp's own: 60s)"),
    OKHTTP_CONNECT_TIMEOUT("okhttp.connect.timeout", ValueType.durationOrApp(), "app",
            "connect timeout of Deepgram sockets (the official SDK fixes 4s); app keeps the client's setting"),
    JDK_CONNECT_TIMEOUT("jdk.connect.timeout", ValueType.durationOrApp(), "app",
            "java.net.http WebSocket: how long the handshake of a Deepgram socket may take (WebSocket.Builder.connectTimeout; the JDK's own: none); app keeps the builder's setting"),
    JDK_CLOSE_TIMEOUT("jdk.close.timeout", ValueType.durationOrApp(), "60s",
            "java.net.http WebSocket: how long a close of a Deepgram socket may wait for Deepgram's answer before the agent aborts the socket (the JDK waits forever); app keeps that"),
    NETTY_HANDSHAKE_TIMEOUT("netty.handshake.timeout", ValueType.durationOrApp(), "app",
            "Netty (plain, reactor-netty, Vert.x): how long the WebSocket handshake of a Deepgram channel may take before the agent closes the channel (Netty's handshaker has no limit of its own); app keeps that"),
    NETTY_CLOSE_TIMEOUT("netty.close.timeout", ValueType.durationOrApp(), "60s",
            "Netty (plain, reactor-netty, Vert.x): how long a close of a Deepgram channel may wait for Deepgram's answer before the agent closes the channel (reactor-netty never waits; plain Netty as long as the app lets it); app keeps that"),
    NV_CONNECT_TIMEOUT("nv-websocket.connect.timeout", ValueType.durationOrApp(), "app",
            "nv-websocket-client: connect timeout of Deepgram sockets (WebSocketFactory's connectionTimeout, no limit by default); app keeps the factory's"),
    NV_HANDSHAKE_TIMEOUT("nv-websocket.handshake.timeout", ValueType.durationOrApp(), "app",
            "nv-websocket-client: how long connect() of a Deepgram socket may take, upgrade included, before the agent closes its TCP socket (the library has no limit once connected); app keeps that"),
    NV_PING_INTERVAL("nv-websocket.ping.interval", ValueType.durationOrApp(), "app",
            "nv-websocket-client: ping interval of Deepgram sockets (setPingInterval; 0 = no pings); app keeps the socket's"),
    NV_CLOSE_TIMEOUT("nv-websocket.close.timeout", ValueType.durationOrApp(), "app",
            "nv-websocket-client: disconnect's close delay on Deepgram sockets, how long it waits for Deepgram's close frame before dropping the connection (10s by default); app keeps the app's"),
    JAVA_WEBSOCKET_CONNECT_TIMEOUT("java-websocket.connect.timeout", ValueType.durationOrApp(), "app",
            "Java-WebSocket: connect timeout of Deepgram sockets (the WebSocketClient constructor's connectTimeout, no limit by default); app keeps the app's"),
    JAVA_WEBSOCKET_HANDSHAKE_TIMEOUT("java-websocket.handshake.timeout", ValueType.durationOrApp(), "app",
            "Java-WebSocket: how long the handshake of a Deepgram socket may take before the agent drops the connection (the library has no limit once connected); app keeps that"),
    JAVA_WEBSOCKET_PING_INTERVAL("java-websocket.ping.interval", ValueType.durationOrApp(), "app",
            "Java-WebSocket: the lost-connection interval of Deepgram sockets (setConnectionLostTimeout: a ping every interval, the connection dropped when no pong came in 1.5 intervals; 0 = off); app keeps the app's"),
    JAVA_WEBSOCKET_CLOSE_TIMEOUT("java-websocket.close.timeout", ValueType.durationOrApp(), "60s",
            "Java-WebSocket: how long a close of a Deepgram socket may wait for Deepgram before the agent drops the connection (Java-WebSocket waits for the server's next bytes, forever if it is silent); app keeps that"),
    JETTY_HANDSHAKE_TIMEOUT("jetty.handshake.timeout", ValueType.durationOrApp(), "app",
            "Jetty 12: how long the upgrade of a Deepgram session may take before the agent aborts its HTTP request (Jetty's own limits: its connect timeout, 15s, then the idle timeout, 30s, by default); app keeps Jetty's"),
    JETTY_IDLE_TIMEOUT("jetty.idle.timeout", ValueType.durationOrApp(), "app",
            "Jetty 12: the idle timeout of Deepgram sessions (Jetty's default: 30s, after which it closes the session 1001); app keeps the app's"),
    JETTY_CLOSE_TIMEOUT("jetty.close.timeout", ValueType.durationOrApp(), "60s",
            "Jetty 12: how long a close of a Deepgram session may wait for Deepgram's close frame before the agent aborts the session (Jetty waits until its idle timeout); app keeps that"),
    FLUX_PING_INTERVAL("flux.ping.interval", ValueType.durationOrApp(), "20s",
            "WebSocket ping interval the agent turns on for Flux (/v2/listen) sockets whose app sends no pings (Flux keeps idle sockets alive by pings, ~60s timeout); app never turns them on"),
    METRICS_HOST("metrics.host", ValueType.text(), "0.0.0.0",
            "address the Prometheus endpoint binds to (127.0.0.1 keeps it local)"),
    METRICS_PORT("metrics.port", ValueType.port(), "9469",
            "port of the Prometheus endpoint /metrics; 0 turns it off"),
    TEST_FAIL_ON("test.fail-on", ValueType.oneOf("none", "send", "receive", "close"), "none",
            "drills only: force an internal error at that point to see the agent degrade to observing while the app carries on");

    private final String key;
    private final ValueType type;
    private final String defaultText;
    private final String description;

    ConfigKey(String key, ValueType type, String defaultText, String description) {
        this.key = key;
        this.type = type;
        this.defaultText = defaultText;
        this.description = description;
    }

    public String key() {
        return key;
    }

    public String defaultText() {
        return defaultText;
    }

    public String description() {
        return description;
    }

    public String accepted() {
        return type.accepted();
    }

    ValueType type() {
        return type;
    }

    Object defaultValue() {
        return type.parse(defaultText);
    }

    public String systemProperty() {
        return "deepgram.agent." + key;
    }

    public String environmentVariable() {
        return "DEEPGRAM_AGENT_" + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    public static ConfigKey byKey(String key) {
        for (ConfigKey k : values()) {
            if (k.key.equals(key)) {
                return k;
            }
        }
        return null;
    }

    public static ConfigKey byEnvironmentVariable(String name) {
        for (ConfigKey k : values()) {
            if (k.environmentVariable().equals(name)) {
                return k;
            }
        }
        return null;
    }
}
