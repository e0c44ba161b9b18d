// @vitest-environment happy-dom
// The form fields as a screen reader meets them: each control is named by its label, marked
// required and invalid when it is, and described by its hint and its error — the same for a text
// box, a text area, a list of choices and a UK date. Typing or choosing updates the form's value.
import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import DateField from '../../renderer/src/components/DateField.vue';
import SelectField from '../../renderer/src/components/SelectField.vue';
import TextField from '../../renderer/src/components/TextField.vue';
import { UK_DATE_HINT } from '../../renderer/src/format/uk-time.js';

/** What assistive technology reads of the control with this id. */
function described(wrapper: ReturnType<typeof mount>, id: string) {
  const control = wrapper.get(`#${id}`).element as HTMLElement;
  const byId = (name: string) => wrapper.find(`#${name}`).text();
  return {
    tag: control.tagName.toLowerCase(),
    label: wrapper.get(`label[for="${id}"]`).text(),
    required: control.getAttribute('aria-required'),
    invalid: control.getAttribute('aria-invalid'),
    description: (control.getAttribute('aria-describedby') ?? '').split(' ').filter(Boolean).map(byId),
  };
}

describe('form fields', () => {
  it('a required text box with a hint and an error is described by both', () => {
    const wrapper = mount(TextField, { props: { id: 'surname', label: 'Surname', required: true, hint: 'As on their letters', error: 'Enter a surname' } });
    expect(described(wrapper, 'surname')).toEqual({ tag: 'input', label: 'Surname (required)', required: 'true', invalid: 'true', description: ['As on their letters', 'Enter a surname'] });
    expect(wrapper.get('.field').classes()).toContain('field--invalid');
  });

  it('an optional text area with nothing wrong carries no aria marks and passes typing up', async () => {
    const wrapper = mount(TextField, { props: { id: 'notes', label: 'Notes', multiline: true } });
    expect(described(wrapper, 'notes')).toEqual({ tag: 'textarea', label: 'Notes', required: null, invalid: null, description: [] });
    await wrapper.get('#notes').setValue('Called back');
    expect(wrapper.emitted('update:modelValue')).toEqual([['Called back']]);
    expect(wrapper.get('.field').classes()).not.toContain('field--invalid');
  });

  it('a list of choices is labelled and described like a text box, and a choice comes back as its id', async () => {
    const wrapper = mount(SelectField, {
      props: {
        id: 'project',
        label: 'Project',
        required: true,
        error: 'Choose a project',
        options: [
          { value: 3, label: 'Befriending' },
          { value: 7, label: 'Advice' },
        ],
      },
    });
    expect(described(wrapper, 'project')).toEqual({ tag: 'select', label: 'Project (required)', required: 'true', invalid: 'true', description: ['Choose a project'] });
    await wrapper.get('#project').setValue('7');
    expect(wrapper.emitted('update:modelValue')).toEqual([[7]]);
  });

  it('a UK date field names its label for the calendar button and is described by the date hint', () => {
    const wrapper = mount(DateField, { props: { id: 'start', label: 'Start date', required: true } });
    const read = described(wrapper, 'start');
    expect(read).toMatchObject({ tag: 'input', label: 'Start date (required)', required: 'true', invalid: null });
    expect(read.description).toEqual([UK_DATE_HINT]);
    expect(wrapper.get('label[for="start"]').attributes('id')).toBe('start-label');
    expect(wrapper.get('#start-calendar-button').attributes('aria-describedby')).toBe('start-label');
    expect(wrapper.get('.field').classes()).toContain('date-field');
  });
});
