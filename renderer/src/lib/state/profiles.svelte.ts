import type { Backend, PayloadInput, ProfileView } from '$contract';

export class ProfilesState {
  list = $state<ProfileView[]>([]);
  loaded = $state(false);
  loadError = $state<string | null>(null);

  constructor(private readonly backend: Backend) {
    backend.on('profiles', (views) => {
      this.list = [...views];
    });
  }

  async load(): Promise<void> {
    const r = await this.backend.invoke('profiles.list', undefined);
    this.loaded = true;
    if (r.ok) {
      this.list = [...r.profiles];
      this.loadError = null;
    } else this.loadError = r.error.message;
  }

  byId(id: string | null): ProfileView | undefined {
    return this.list.find((v) => v.profile.id === id);
  }

  validate(draft: unknown) {
    return this.backend.invoke('profiles.validate', { draft });
  }

  create(payload: PayloadInput<'profiles.create'>) {
    return this.backend.invoke('profiles.create', payload);
  }

  update(payload: PayloadInput<'profiles.update'>) {
    return this.backend.invoke('profiles.update', payload);
  }

  remove(id: string) {
    return this.backend.invoke('profiles.remove', { id });
  }
}
