// How an instant is shown to people, on screen and in exports alike: the UK's day/month/year and
// 24-hour clock, in the server's zone (Europe/London, so GMT or BST as the date falls).
import { SERVER_TIME_ZONE } from './dizions/assumptions.js';

export const UK_DATE_TIME_OPTIONS: Intl.DateTimeFormatOptions = {
  timeZone: SERVER_TIME_ZONE,
  day: '2-digit',
  month: '2-digit',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
};
