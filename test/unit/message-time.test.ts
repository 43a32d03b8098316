import { messageTime } from '../../src/domain/message-time';

const clock = () => '2026-12-02T10:00:09.000Z';

test('a carried time is the stamp, whatever the clock reads', () => {
  expect(messageTime('2026-12-02T10:00:05.000Z', '2026-12-02T10:00:01.000Z', clock)).toBe('2026-12-02T10:00:05.000Z');
  expect(messageTime('2026-12-02T10:00:05.000Z', undefined, clock)).toBe('2026-12-02T10:00:05.000Z');
});

test('never before the previous status: a timeline does not run backwards', () => {
  expect(messageTime('2026-12-02T10:00:05.000Z', '2026-12-02T10:00:07.000Z', clock)).toBe('2026-12-02T10:00:07.000Z');
});

test('without a carried time (an older message) or with an unreadable one, the workflow clock', () => {
  expect(messageTime(undefined, '2026-12-02T10:00:01.000Z', clock)).toBe('2026-12-02T10:00:09.000Z');
  expect(messageTime('not a time', '2026-12-02T10:00:01.000Z', clock)).toBe('2026-12-02T10:00:09.000Z');
});
