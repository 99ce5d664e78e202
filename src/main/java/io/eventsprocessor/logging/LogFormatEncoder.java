package io.eventsprocessor.logging;

import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.encoder.EncoderBase;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;
import net.logstash.logback.encoder.LogstashEncoder;

/**
 * Logback's encoder for the service's stdout: text (the pattern given) or JSON (one object per line, by
 * logstash-logback-encoder), chosen by {@code LOG_FORMAT} when Logback starts, and by the config's
 * {@code log.format} once it is read ({@link #use}). An unknown format writes text: the config check then stops
 * the start, naming the variable.
 *
 * <p>JSON lines carry {@code @timestamp} (ISO-8601, UTC), {@code level}, {@code logger_name}, {@code thread_name},
 * {@code message}, {@code stack_trace} when there is one, and the SLF4J key-value pairs of the call
 * ({@code eventId}, {@code userId}, {@code notificationId}) as fields of their own.
 */
public final class LogFormatEncoder extends EncoderBase<ILoggingEvent> {
  private static final Set<LogFormatEncoder> STARTED = new CopyOnWriteArraySet<>();

  private String format = LogFormat.text.name();
  private String pattern = "%d{yyyy-MM-dd HH:mm:ss.SSS xxx} %-5level %logger{0} - %msg%n";
  private volatile LogFormat current;
  private volatile Encoder<ILoggingEvent> delegate;

  /** {@code text} or {@code json} (Logback's configuration sets it from {@code LOG_FORMAT}). */
  public void setFormat(String format) {
    this.format = format;
  }

  /** The pattern of the text format. */
  public void setPattern(String pattern) {
    this.pattern = pattern;
  }

  /** The format the service's stdout uses from now on, whichever encoder of this kind Logback runs. */
  public static void use(LogFormat format) {
    STARTED.forEach(encoder -> encoder.switchTo(format));
  }

  /** The format a value of {@code LOG_FORMAT} stands for; null when it stands for none. */
  public static LogFormat parse(String value) {
    try {
      return value == null ? null : LogFormat.valueOf(value.trim());
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  @Override
  public void start() {
    LogFormat parsed = parse(format);
    switchTo(parsed == null ? LogFormat.text : parsed);
    STARTED.add(this);
    super.start();
  }

  @Override
  public void stop() {
    STARTED.remove(this);
    if (delegate != null) {
      delegate.stop();
    }
    super.stop();
  }

  private synchronized void switchTo(LogFormat format) {
    if (format == current) {
      return;
    }
    Encoder<ILoggingEvent> next = format == LogFormat.json ? json() : text();
    Encoder<ILoggingEvent> previous = delegate;
    delegate = next;
    current = format;
    if (previous != null) {
      previous.stop();
    }
  }

  private Encoder<ILoggingEvent> text() {
    PatternLayoutEncoder text = new PatternLayoutEncoder();
    text.setContext(getContext());
    text.setPattern(pattern);
    text.start();
    return text;
  }

  private Encoder<ILoggingEvent> json() {
    LogstashEncoder json = new LogstashEncoder();
    json.setContext(getContext());
    json.setTimeZone("UTC");
    // Fields a log pipeline has no use for: the format's version and the level as a number.
    json.getFieldNames().setVersion("[ignore]");
    json.getFieldNames().setLevelValue("[ignore]");
    json.start();
    return json;
  }

  @Override
  public byte[] headerBytes() {
    return delegate.headerBytes();
  }

  @Override
  public byte[] encode(ILoggingEvent event) {
    return delegate.encode(event);
  }

  @Override
  public byte[] footerBytes() {
    return delegate.footerBytes();
  }
}
