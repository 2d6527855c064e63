package dev.deepgramagent.instrumentation.jdk;

import dev.deepgramagent.core.session.SocketControl;
import dev.deepgramagent.install.AdviceLoader;
import dev.deepgramagent.install.InstrumentationModule;
import net.bytebuddy.asm.AsmVisitorWrapper;

import java.net.URI;
import java.time.Duration;
import java.util.List;

import static net.bytebuddy.matcher.ElementMatchers.isConstructor;
import static net.bytebuddy.matcher.ElementMatchers.isMethod;
import static net.bytebuddy.matcher.ElementMatchers.isPublic;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

/**
 * The JDK's own WebSocket client, {@code java.net.http.WebSocket} (JDK 11 and later): its
 * implementation in {@code jdk.internal.net.http.websocket}, loaded by the platform class loader.
 * The names matched are the same from JDK 11 to 25. These classes come with the JDK, so they are
 * never woven at build time: Byte Buddy weaves them when they first load (or on attach).
 */
public final class JdkWebSocketInstrumentation implements InstrumentationModule {

    static final String PACKAGE = "jdk.internal.net.http.websocket.";
    static final String BUILDER = PACKAGE + "BuilderImpl";
    static final String HANDSHAKE = PACKAGE + "OpeningHandshake";
    static final String WEB_SOCKET = PACKAGE + "WebSocketImpl";
    static final String CONSUMER = PACKAGE + "WebSocketImpl$SignallingMessageConsumer";
    // By name: advice classes are read as bytes, never loaded by the agent.
    private static final String ADVICE = "dev.deepgramagent.instrumentation.jdk.JdkWebSocketAdvice$";

    @Override
    public String library() {
        return "jdk";
    }

    @Override
    public List<String> typeNames() {
        return List.of(BUILDER, HANDSHAKE, WEB_SOCKET, CONSUMER);
    }

    @Override
    public boolean available() {
        return ModuleLayer.boot().findModule("java.net.http").isPresent();
    }

    @Override
    public boolean prewovenAtBuild() {
        return false;
    }

    @Override
    public SocketControl control() {
        return new JdkControl();
    }

    @Override
    public AsmVisitorWrapper advice(String typeName) {
        AsmVisitorWrapper.ForDeclaredMethods advice = new AsmVisitorWrapper.ForDeclaredMethods();
        switch (typeName) {
            case BUILDER:
                // The private copy constructor buildAsync uses: (client, uri, listener, proxy, headers, subprotocols, timeout).
                return advice.invokable(isConstructor().and(takesArguments(7)).and(takesArgument(1, URI.class))
                        .and(takesArgument(6, Duration.class)), AdviceLoader.advice(ADVICE + "ConnectTimeout"));
            case HANDSHAKE:
                return advice
                        .invokable(isConstructor().and(takesArguments(1)), AdviceLoader.advice(ADVICE + "HandshakeCreated"))
                        .invokable(isMethod().and(named("send")).and(takesArguments(0)), AdviceLoader.advice(ADVICE + "HandshakeSent"))
                        .invokable(isMethod().and(named("handleResponse")).and(takesArguments(1)),
                                AdviceLoader.advice(ADVICE + "HandshakeAnswered"));
            case WEB_SOCKET:
                return advice
                        // The last argument is the handshake's transport factory; an HttpClient argument came in 17.0.2.
                        .invokable(isConstructor().and(takesArguments(4)), AdviceLoader.advice(ADVICE + "Built4"))
                        .invokable(isConstructor().and(takesArguments(5)), AdviceLoader.advice(ADVICE + "Built5"))
                        .invokable(isMethod().and(isPublic()).and(named("sendBinary")).and(takesArguments(2)),
                                AdviceLoader.advice(ADVICE + "SendBinary"))
                        .invokable(isMethod().and(isPublic()).and(named("sendText")).and(takesArguments(2)),
                                AdviceLoader.advice(ADVICE + "SendText"))
                        .invokable(isMethod().and(isPublic()).and(named("sendPing")).and(takesArguments(1)),
                                AdviceLoader.advice(ADVICE + "SendPing"))
                        .invokable(isMethod().and(isPublic()).and(named("sendPong")).and(takesArguments(1)),
                                AdviceLoader.advice(ADVICE + "SendPong"))
                        .invokable(isMethod().and(isPublic()).and(named("sendClose")).and(takesArguments(int.class, String.class)),
                                AdviceLoader.advice(ADVICE + "Close"))
                        .invokable(isMethod().and(isPublic()).and(named("abort")).and(takesArguments(0)),
                                AdviceLoader.advice(ADVICE + "Abort"))
                        .invokable(isMethod().and(named("signalError")).and(takesArguments(Throwable.class)),
                                AdviceLoader.advice(ADVICE + "Failure"));
            case CONSUMER:
                return advice
                        .invokable(isMethod().and(named("onText")).and(takesArguments(CharSequence.class, boolean.class)),
                                AdviceLoader.advice(ADVICE + "ReadText"))
                        .invokable(isMethod().and(named("onClose")).and(takesArguments(int.class, CharSequence.class)),
                                AdviceLoader.advice(ADVICE + "ReadClose"))
                        .invokable(isMethod().and(named("onComplete")).and(takesArguments(0)), AdviceLoader.advice(ADVICE + "ReadEnd"));
            default:
                throw new IllegalArgumentException("not a type of " + library() + ": " + typeName);
        }
    }
}
