package dev.deepgramagent.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.LayoutBase;

/** {@code 2026-01-01T00:00:00.000Z deepgram-agent WARN  message key=value ...} ({@link LogLines#text}). */
final class TextLayout extends LayoutBase<ILoggingEvent> {

    @Override
    public String doLayout(ILoggingEvent event) {
        IThrowableProxy t = event.getThrowableProxy();
        return LogLines.text(event.getTimeStamp(), event.getLevel().toString(), event.getFormattedMessage(), event.getKeyValuePairs(),
                t == null ? null : ThrowableProxyUtil.asString(t));
    }
}
