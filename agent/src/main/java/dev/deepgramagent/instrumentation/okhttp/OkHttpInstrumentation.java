package dev.deepgramagent.instrumentation.okhttp;

import dev.deepgramagent.core.session.SocketControl;
import dev.deepgramagent.install.AdviceLoader;
import dev.deepgramagent.install.InstrumentationModule;
import net.bytebuddy.agent.builder.AgentBuilder;

import static net.bytebuddy.matcher.ElementMatchers.isConstructor;
import static net.bytebuddy.matcher.ElementMatchers.isMethod;
import static net.bytebuddy.matcher.ElementMatchers.isPublic;
import static net.bytebuddy.matcher.ElementMatchers.isStatic;
import static net.bytebuddy.matcher.ElementMatchers.nameStartsWith;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.not;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

/**
 * OkHttp 3.14.x, 4.x and 5.x: {@code okhttp3.internal.ws.RealWebSocket}, the implementation behind
 * {@code OkHttpClient.newWebSocket} and so behind the official Deepgram Java SDK. The methods
 * matched exist, with these names and arguments, in all three major versions.
 */
public final class OkHttpInstrumentation implements InstrumentationModule {

    static final String REAL_WEB_SOCKET = "okhttp3.internal.ws.RealWebSocket";
    // By name: advice classes are read as bytes, never loaded by the agent.
    private static final String ADVICE = "dev.deepgramagent.instrumentation.okhttp.RealWebSocketAdvice$";

    @Override
    public String library() {
        return "okhttp";
    }

    @Override
    public SocketControl control() {
        return new OkHttpControl();
    }

    @Override
    public AgentBuilder extend(AgentBuilder builder) {
        return builder.type(named(REAL_WEB_SOCKET)).transform((b, type, loader, module, domain) -> b
                .visit(AdviceLoader.advice(ADVICE + "Created").on(isConstructor()))
                .visit(AdviceLoader.advice(ADVICE + "Opened").on(isMethod().and(nameStartsWith("checkUpgradeSuccess"))))
                .visit(AdviceLoader.advice(ADVICE + "SendBinary").on(isMethod().and(isPublic()).and(named("send"))
                        .and(takesArguments(1)).and(takesArgument(0, named("okio.ByteString")))))
                .visit(AdviceLoader.advice(ADVICE + "SendText").on(isMethod().and(isPublic()).and(named("send"))
                        .and(takesArguments(String.class))))
                .visit(AdviceLoader.advice(ADVICE + "Close").on(isMethod().and(isPublic()).and(named("close"))
                        .and(takesArguments(int.class, String.class))))
                .visit(AdviceLoader.advice(ADVICE + "Cancel").on(isMethod().and(named("cancel")).and(takesArguments(0))))
                .visit(AdviceLoader.advice(ADVICE + "ReadText").on(isMethod().and(named("onReadMessage"))
                        .and(takesArguments(String.class))))
                .visit(AdviceLoader.advice(ADVICE + "ReadClose").on(isMethod().and(named("onReadClose"))
                        .and(takesArguments(int.class, String.class))))
                .visit(AdviceLoader.advice(ADVICE + "Failure").on(isMethod().and(named("failWebSocket")).and(not(isStatic()))))
                // Timeouts: changed only on Deepgram sockets and only when configured.
                .visit(AdviceLoader.advice(ADVICE + "PingInterval3").on(isConstructor().and(takesArgument(0, named("okhttp3.Request")))
                        .and(takesArgument(3, long.class))))
                .visit(AdviceLoader.advice(ADVICE + "PingInterval4").on(isConstructor().and(takesArgument(1, named("okhttp3.Request")))
                        .and(takesArgument(4, long.class))))
                .visit(AdviceLoader.advice(ADVICE + "CloseTimeout").on(isMethod().and(named("close"))
                        .and(takesArguments(int.class, String.class, long.class))))
                .visit(AdviceLoader.advice(ADVICE + "ConnectTimeout").on(isMethod().and(named("connect"))
                        .and(takesArguments(1)).and(takesArgument(0, named("okhttp3.OkHttpClient"))))));
    }
}
