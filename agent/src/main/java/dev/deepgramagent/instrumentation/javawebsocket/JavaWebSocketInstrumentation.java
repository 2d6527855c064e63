package dev.deepgramagent.instrumentation.javawebsocket;

import dev.deepgramagent.core.session.SocketControl;
import dev.deepgramagent.install.AdviceLoader;
import dev.deepgramagent.install.InstrumentationModule;
import net.bytebuddy.asm.AsmVisitorWrapper;

import java.nio.ByteBuffer;
import java.util.List;

import static net.bytebuddy.matcher.ElementMatchers.isConstructor;
import static net.bytebuddy.matcher.ElementMatchers.isMethod;
import static net.bytebuddy.matcher.ElementMatchers.isPublic;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

/**
 * Java-WebSocket 1.5 and 1.6 ({@code org.java_websocket}). Apps subclass its {@code WebSocketClient};
 * the agent weaves the library's own classes, never the app's subclass: the client's final
 * dispatch methods, its connection ({@code WebSocketImpl}, the key of a session) and the RFC 6455
 * draft that reads the server's close. Woven when the classes load, not at build time.
 */
public final class JavaWebSocketInstrumentation implements InstrumentationModule {

    static final String CLIENT = "org.java_websocket.client.WebSocketClient";
    static final String CONNECTION = "org.java_websocket.WebSocketImpl";
    static final String DRAFT = "org.java_websocket.drafts.Draft_6455";
    /** Where the lost-connection timer (its pings) starts: the ping interval of Deepgram sockets. */
    static final String BASE = "org.java_websocket.AbstractWebSocket";
    // By name: advice classes are read as bytes, never loaded by the agent.
    private static final String ADVICE = "dev.deepgramagent.instrumentation.javawebsocket.JavaWebSocketAdvice$";

    @Override
    public String library() {
        return "java-websocket";
    }

    @Override
    public List<String> typeNames() {
        return List.of(CLIENT, CONNECTION, DRAFT, BASE);
    }

    @Override
    public boolean prewovenAtBuild() {
        return false;
    }

    @Override
    public SocketControl control() {
        return new JavaWebSocketControl();
    }

    @Override
    public AsmVisitorWrapper advice(String typeName) {
        AsmVisitorWrapper.ForDeclaredMethods advice = new AsmVisitorWrapper.ForDeclaredMethods();
        switch (typeName) {
            case CLIENT:
                return advice
                        // The constructor the others delegate to: (URI, Draft, Map headers, int connectTimeout).
                        .invokable(isConstructor().and(takesArguments(4)).and(takesArgument(3, int.class)),
                                AdviceLoader.advice(ADVICE + "ConnectTimeout"))
                        .invokable(isMethod().and(isPublic()).and(named("connect")).and(takesArguments(0)),
                                AdviceLoader.advice(ADVICE + "Connect"))
                        .invokable(isMethod().and(named("onWebsocketMessage")).and(takesArguments(2))
                                .and(takesArgument(1, String.class)), AdviceLoader.advice(ADVICE + "ReadText"))
                        .invokable(isMethod().and(named("onWebsocketError")).and(takesArguments(2)),
                                AdviceLoader.advice(ADVICE + "ConnectFailure"))
                        .invokable(isMethod().and(isPublic()).and(named("closeConnection")).and(takesArguments(int.class, String.class)),
                                AdviceLoader.advice(ADVICE + "Cancel"));
            case CONNECTION:
                return advice
                        .invokable(isMethod().and(named("open")).and(takesArguments(1)), AdviceLoader.advice(ADVICE + "Opened"))
                        .invokable(isMethod().and(isPublic()).and(named("send")).and(takesArguments(ByteBuffer.class)),
                                AdviceLoader.advice(ADVICE + "SendBinary"))
                        .invokable(isMethod().and(isPublic()).and(named("send")).and(takesArguments(String.class)),
                                AdviceLoader.advice(ADVICE + "SendText"))
                        .invokable(isMethod().and(isPublic()).and(named("sendFragmentedFrame")).and(takesArguments(3)),
                                AdviceLoader.advice(ADVICE + "SendFragment"))
                        .invokable(isMethod().and(isPublic()).and(named("close")).and(takesArguments(int.class)),
                                AdviceLoader.advice(ADVICE + "Close"))
                        .invokable(isMethod().and(isPublic()).and(named("close")).and(takesArguments(int.class, String.class)),
                                AdviceLoader.advice(ADVICE + "CloseWithReason"))
                        .invokable(isMethod().and(named("close")).and(takesArguments(1))
                                .and(takesArgument(0, named("org.java_websocket.exceptions.InvalidDataException"))),
                                AdviceLoader.advice(ADVICE + "Rejected"))
                        .invokable(isMethod().and(named("closeConnection")).and(takesArguments(int.class, String.class, boolean.class)),
                                AdviceLoader.advice(ADVICE + "Ended"));
            case DRAFT:
                return advice.invokable(isMethod().and(named("processFrameClosing")).and(takesArguments(2)),
                        AdviceLoader.advice(ADVICE + "ReadClose"));
            case BASE:
                return advice.invokable(isMethod().and(named("startConnectionLostTimer")).and(takesArguments(0)),
                        AdviceLoader.advice(ADVICE + "PingInterval"));
            default:
                throw new IllegalArgumentException("not a type of " + library() + ": " + typeName);
        }
    }
}
