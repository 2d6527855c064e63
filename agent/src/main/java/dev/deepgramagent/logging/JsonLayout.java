package dev.deepgramagent.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.LayoutBase;

/** One JSON object per line; key/value pairs of the event become top-level fields ({@link LogLines#json}). */
final class JsonLayout extends LayoutBase<ILoggingEvent> {

    @Override
    public String doLayout(ILoggingEvent event) {
        IThrowableProxy t = event.getThrowableProxy();
        return LogLines.json(event.getTimeStamp(), event.getLevel().toString(), event.getLoggerName(), event.getFormattedMessage(),
                event.getKeyValuePairs(), t == null ? null : ThrowableProxyUtil.asString(t));
    }
}
