package io.eventsprocessor.event;

/** What is wrong with one field of a request, named as the client spelled it. */
public record FieldError(String field, String message) {}
